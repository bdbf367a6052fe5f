"""A software authenticator for tests: real P-256 keys (cryptography) making real WebAuthn answers
with "none" attestation, as py_webauthn's own tests build them, so the server's verification runs
unchanged. No mocks: the bytes are what a browser and authenticator would send."""

import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

UP, UV, AT = 0x01, 0x04, 0x40


class SoftKey:
    def __init__(self, credential_id=None, sign_count=0):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = credential_id or os.urandom(16)
        self.sign_count = sign_count

    @property
    def id(self):
        return bytes_to_base64url(self.credential_id)

    def _cose_key(self):
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})

    @staticmethod
    def _client_data(kind, challenge, origin):
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin,
                           "crossOrigin": False}).encode()

    def create(self, options_json, origin):
        """The answer to navigator.credentials.create() for these options, as JSON text."""
        options = json.loads(options_json)
        rp_id = options["rp"]["id"]
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attested = (b"\x00" * 16 + struct.pack(">H", len(self.credential_id)) + self.credential_id
                    + self._cose_key())
        auth_data = (hashlib.sha256(rp_id.encode()).digest() + bytes([UP | UV | AT])
                     + struct.pack(">I", self.sign_count) + attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps({"id": self.id, "rawId": self.id, "type": "public-key",
                           "clientExtensionResults": {}, "authenticatorAttachment": "platform",
                           "response": {"clientDataJSON": bytes_to_base64url(client_data),
                                        "attestationObject": bytes_to_base64url(attestation),
                                        "transports": ["internal", "hybrid", "made-up"]}})

    def get(self, options_json, origin, rp_id=None, count_up=True):
        """The answer to navigator.credentials.get() for these options, as JSON text."""
        options = json.loads(options_json)
        if count_up:
            self.sign_count += 1
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = (hashlib.sha256((rp_id or options["rpId"]).encode()).digest() + bytes([UP | UV])
                     + struct.pack(">I", self.sign_count))
        signature = self.private_key.sign(auth_data + hashlib.sha256(client_data).digest(),
                                          ec.ECDSA(hashes.SHA256()))
        return json.dumps({"id": self.id, "rawId": self.id, "type": "public-key",
                           "clientExtensionResults": {},
                           "response": {"clientDataJSON": bytes_to_base64url(client_data),
                                        "authenticatorData": bytes_to_base64url(auth_data),
                                        "signature": bytes_to_base64url(signature)}})


def challenge_of(options_json):
    return base64url_to_bytes(json.loads(options_json)["challenge"])
