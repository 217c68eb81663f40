"""Makes a stack's payment test keys, once: the simulated providers' RSA keys (Alipay's signing
key; WeChat Pay's platform key with its certificate serial) and the WeChat APIv3 key. Private
keys go to DIR/*.pem (the simulator and the tests sign with them); what the services need goes
to DIR/payment.env (public keys as base64 of their PEM). A real deployment sets ALIPAY_PUBLIC_KEY,
WECHAT_PLATFORM_KEYS and WECHAT_API_V3_KEY from the providers' consoles instead.

Usage: python3 make_keys.py DIR
"""
import base64, os, secrets, string, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

directory = sys.argv[1]
os.makedirs(directory, mode=0o700, exist_ok=True)


def keypair(name):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with open(os.path.join(directory, name + "_private.pem"), "wb") as file:
        file.write(private)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(public).decode()


alipay = keypair("alipay")
wechat = keypair("wechat")
serial = secrets.token_hex(20).upper()
v3 = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
with open(os.path.join(directory, "payment.env"), "w") as file:
    file.write(f"ALIPAY_PUBLIC_KEY={alipay}\nWECHAT_PLATFORM_KEYS={serial}:{wechat}\nWECHAT_API_V3_KEY={v3}\nPAYMENT_SIM_WECHAT_SERIAL={serial}\n")
os.chmod(os.path.join(directory, "payment.env"), 0o600)
