"""A Web Push peer built from the Python libraries on PyPI (http-ece, py-vapid, pywebpush),
for the interop tests in tests/scenarios/webpush_interop.rs. Keys and secrets are base64url
arguments; message bodies travel on stdin and stdout.

  decrypt PRIVATE AUTH     body on stdin -> plaintext on stdout (the caregiver's side)
  encrypt PUBLIC AUTH      plaintext on stdin -> body on stdout (a sender other than Regimen)
  vapid-verify HEADER      exit 0 if py-vapid accepts the Authorization header
  pywebpush-send ENDPOINT P256DH AUTH VAPID_PKCS8
                           sends the text on stdin with pywebpush, signed with the VAPID
                           key given (PKCS#8 DER, base64url); prints the HTTP status
  time-encrypt             median time of http-ece encrypting 512 bytes with a fresh
                           sender key, as core/benches/share.rs measures Regimen
"""

import base64
import statistics
import sys
import time

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main(command, *args):
    if command == "decrypt":
        private, auth = args
        key = ec.derive_private_key(int.from_bytes(unb64(private), "big"), ec.SECP256R1())
        body = sys.stdin.buffer.read()
        sys.stdout.buffer.write(
            http_ece.decrypt(body, private_key=key, auth_secret=unb64(auth), version="aes128gcm")
        )
    elif command == "encrypt":
        public, auth = args
        plaintext = sys.stdin.buffer.read()
        sys.stdout.buffer.write(
            http_ece.encrypt(
                plaintext,
                private_key=ec.generate_private_key(ec.SECP256R1()),
                dh=unb64(public),
                auth_secret=unb64(auth),
                version="aes128gcm",
            )
        )
    elif command == "pywebpush-send":
        endpoint, p256dh, auth, vapid_key = args
        # Imported here: only this command needs pywebpush (and its HTTP stack).
        from pywebpush import webpush

        response = webpush(
            subscription_info={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=sys.stdin.read(),
            vapid_private_key=vapid_key,
            vapid_claims={"sub": "mailto:interop@example.org"},
            ttl=60,
        )
        print(response.status_code)
    elif command == "vapid-verify":
        (header,) = args
        sys.exit(0 if Vapid02.verify(header) else 1)
    elif command == "time-encrypt":
        receiver = ec.generate_private_key(ec.SECP256R1())
        public = receiver.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        auth, message, runs = b"a" * 16, b"m" * 512, []
        for _ in range(2000):
            start = time.perf_counter()
            http_ece.encrypt(
                message,
                private_key=ec.generate_private_key(ec.SECP256R1()),
                dh=public,
                auth_secret=auth,
                version="aes128gcm",
            )
            runs.append(time.perf_counter() - start)
        print(f"http-ece encrypt 512 bytes (median of {len(runs)}): {statistics.median(runs) * 1e6:.1f} us")
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main(*sys.argv[1:])
