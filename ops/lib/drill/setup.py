"""Prepares `ops/drill` in its own database: the current exam year with its catalogue and point
(BENCHPOINT, open around the clock so that the drill runs at any hour), a province
administrator, and the point's operator signed in through the gateway. Prints the operator's
cookie and CSRF token, tab-separated.

Environment: what ops/lib/stack.sh exports, GATEWAY, BIN_DIR.
"""
import os, random, subprocess, sys

here = os.path.dirname(__file__)
sys.path[:0] = [os.path.join(here, "..", "..", "..", "Benchmarks", "RegistrationBenchmark"), os.path.join(here, "..", "..", "..", "Benchmarks", "ReviewBenchmark")]
from exam_year import psql, set_up_year  # noqa: E402
from staff_session import Browser, password, staff  # noqa: E402

env = os.environ
set_up_year()
psql("""UPDATE confirmation_point SET hours = '[["00:00","24:00"]]' WHERE node_id = 'BENCHPOINT'""")
admin = f"drill_admin_{random.randrange(10**6)}"
subprocess.run([os.path.join(env["BIN_DIR"], "examctl"), "create-province-admin", admin, "演练管理员", "13800000000"], input=password + "\n",
               text=True, check=True, stdout=subprocess.DEVNULL,
               env={**env, "POSTGRES_USER": env["POSTGRES_OWNER_USER"], "POSTGRES_PASSWORD": env["POSTGRES_OWNER_PASSWORD"]})
operator = staff(Browser().sign_in(admin), "BENCHPOINT", "point_operator")
cookie = "; ".join(f"{c.name}={c.value}" for c in operator.cookies)
print(f"{cookie}\t{operator.csrf}")
