"""Makes a stack's payment test keys, once: the simulated providers' RSA keys (Alipay's signing
key; WeChat Pay's platform key with its certificate serial), the WeChat APIv3 key, and our own
keys that sign what we ask the providers (the Alipay app key; the WeChat merchant key with its
serial). The providers' private keys go to DIR/*_private.pem (the simulator and the tests sign
with them), ours' public halves to DIR/*_public.pem (the simulator checks our queries with
them); what the services need goes to DIR/payment.env (keys as base64 of their PEM). A real
deployment sets these from the providers' consoles and its own key store instead.

Usage: python3 make_keys.py DIR
"""
import base64, os, secrets, string, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

directory = sys.argv[1]
os.makedirs(directory, mode=0o700, exist_ok=True)


def keypair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def write(name, data):
    with open(os.path.join(directory, name), "wb") as file:
        file.write(data)


def b64(data):
    return base64.b64encode(data).decode()


# The providers' keys: the simulator signs with the private halves, the services check with the public ones.
alipay_private, alipay_public = keypair()
wechat_private, wechat_public = keypair()
write("alipay_private.pem", alipay_private)
write("wechat_private.pem", wechat_private)
# Ours: the services sign queries with the private halves, the simulator checks with the public ones.
app_private, app_public = keypair()
merchant_private, merchant_public = keypair()
write("alipay_app_public.pem", app_public)
write("wechat_merchant_public.pem", merchant_public)
serial = secrets.token_hex(20).upper()
merchant_serial = secrets.token_hex(20).upper()
v3 = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
with open(os.path.join(directory, "payment.env"), "w") as file:
    file.write(f"ALIPAY_PUBLIC_KEY={b64(alipay_public)}\nWECHAT_PLATFORM_KEYS={serial}:{b64(wechat_public)}\nWECHAT_API_V3_KEY={v3}\n"
               f"PAYMENT_SIM_WECHAT_SERIAL={serial}\nALIPAY_APP_PRIVATE_KEY={b64(app_private)}\n"
               f"WECHAT_MERCHANT_PRIVATE_KEY={b64(merchant_private)}\nWECHAT_MERCHANT_SERIAL={merchant_serial}\n")
os.chmod(os.path.join(directory, "payment.env"), 0o600)
