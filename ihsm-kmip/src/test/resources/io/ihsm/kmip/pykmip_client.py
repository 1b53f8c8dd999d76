# Drives ihsm's KMIP server with PyKMIP's ProxyKmipClient (Debian python3-pykmip), as KmipServerTest
# asks: one scenario per run, each step's outcome printed as one JSON object per line, so the Java
# test asserts on what the real client got. Usage:
#   python3 pykmip_client.py HOST PORT CERT KEY CA SCENARIO
import json
import os
import sys

from cryptography.hazmat.primitives import hashes, padding as sympadding, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from kmip.core import enums, exceptions as core_exceptions, objects as cobjects, primitives
from kmip.core.messages import messages, payloads
from kmip.pie import client as pie_client, exceptions, objects

host, port, cert, key, ca, scenario = sys.argv[1:7]
E = enums


def emit(step, **values):
    print(json.dumps(dict(step=step, **values)), flush=True)


def failure(step, call):
    """Runs a call that must fail; emits the KMIP reason the server gave."""
    try:
        call()
    except exceptions.KmipOperationFailure as e:
        emit(step, failed=True, reason=e.reason.name, message=str(e.message))
        return
    emit(step, failed=False)


def client():
    return pie_client.ProxyKmipClient(
        hostname=host, port=int(port), cert=cert, key=key, ca=ca,
        ssl_version="PROTOCOL_SSLv23", config_file=os.devnull)


def state(c, uid):
    _, attrs = c.get_attributes(uid, ["State"])
    return attrs[0].attribute_value.value.name


class AddAttributePayload(payloads.RequestPayload):
    """KMIP 1.x Add Attribute (PyKMIP 0.10 has no payload for it): built from PyKMIP's own parts."""

    def __init__(self, uid, name, value):
        super().__init__()
        self.uid = primitives.TextString(uid, tag=E.Tags.UNIQUE_IDENTIFIER)
        self.attribute = cobjects.Attribute(
            attribute_name=cobjects.Attribute.AttributeName(name),
            attribute_value=primitives.TextString(value, tag=E.Tags.ATTRIBUTE_VALUE))

    def write(self, ostream, kmip_version=E.KMIPVersion.KMIP_1_0):
        from kmip.core import utils
        body = utils.BytearrayStream()
        self.uid.write(body, kmip_version=kmip_version)
        self.attribute.write(body, kmip_version=kmip_version)
        self.length = body.length()
        super().write(ostream, kmip_version=kmip_version)
        ostream.write(body.buffer)


def ttlv_find(buf, tag):
    """The first enumeration with this tag in a TTLV message (PyKMIP 0.10 cannot read an Add
    Attribute response, so the test walks it)."""
    at = 0
    while at + 8 <= len(buf):
        t = int.from_bytes(buf[at:at + 3], "big")
        typ = buf[at + 3]
        length = int.from_bytes(buf[at + 4:at + 8], "big")
        if t == tag and typ == 0x05:
            return int.from_bytes(buf[at + 8:at + 12], "big")
        if typ == 0x01:
            at += 8  # into the structure
        else:
            at += 8 + length + (-length % 8)
    return None


def add_attribute(c, uid, name, value):
    """Sends Add Attribute through PyKMIP's encoder and transport; returns the result status."""
    item = messages.RequestBatchItem(
        operation=primitives.Enumeration(E.Operation, E.Operation.ADD_ATTRIBUTE, tag=E.Tags.OPERATION),
        request_payload=AddAttributePayload(uid, name, value))
    request = c.proxy._build_request_message(None, [item])
    c.proxy._send_message(request)
    status = ttlv_find(bytes(c.proxy._receive_message().buffer), E.Tags.RESULT_STATUS.value)
    return E.ResultStatus(status).name


def symmetric(c):
    uid = c.create(E.CryptographicAlgorithm.AES, 256, name="db-master")
    emit("create", uid=uid, state=state(c, uid))
    failure("encrypt-pre-active", lambda: c.encrypt(
        b"x" * 16, uid, {"block_cipher_mode": E.BlockCipherMode.CBC,
                         "padding_method": E.PaddingMethod.PKCS5}))
    c.activate(uid)
    emit("activate", state=state(c, uid))
    params = {"block_cipher_mode": E.BlockCipherMode.CBC, "padding_method": E.PaddingMethod.PKCS5,
              "cryptographic_algorithm": E.CryptographicAlgorithm.AES}
    data = b"sixty-four bytes of table data, encrypted by the HSM for a DB!!"
    ct, iv = c.encrypt(data, uid, params)
    pt = c.decrypt(ct, uid, params, iv)
    emit("encrypt-decrypt", roundtrip=(pt == data), ivLength=len(iv), ctLength=len(ct))
    failure("get-secret", lambda: c.get(uid))
    emit("locate", found=c.locate(attributes=[
        c.attribute_factory.create_attribute(E.AttributeType.NAME, "db-master")]))
    emit("add-attribute", status=add_attribute(c, uid, "x-owner", "team-a"))
    names = c.get_attribute_list(uid)
    emit("attribute-list", names=sorted(names))
    _, attrs = c.get_attributes(uid, ["x-owner"])
    emit("custom", values=[a.attribute_value.value for a in attrs])
    c.modify_attribute(uid, attribute=cobjects.Attribute(
        attribute_name=cobjects.Attribute.AttributeName("x-owner"),
        attribute_index=cobjects.Attribute.AttributeIndex(0),
        attribute_value=primitives.TextString("team-b", tag=E.Tags.ATTRIBUTE_VALUE)))
    _, attrs = c.get_attributes(uid, ["x-owner"])
    emit("modified", values=[a.attribute_value.value for a in attrs])
    c.delete_attribute(uid, attribute_name="x-owner", attribute_index=0)
    emit("deleted", names=sorted(c.get_attribute_list(uid)))
    new_uid = c.rekey(uid)
    emit("rekey", uid=new_uid, old=state(c, uid), new=state(c, new_uid))
    failure("encrypt-old", lambda: c.encrypt(data, uid, params))
    emit("decrypt-old", roundtrip=(c.decrypt(ct, uid, params, iv) == data))
    failure("destroy-active", lambda: c.destroy(new_uid))
    c.revoke(E.RevocationReasonCode.KEY_COMPROMISE, uid)
    emit("revoke", state=state(c, uid))
    c.destroy(uid)
    emit("destroy", state=state(c, uid))
    failure("decrypt-destroyed", lambda: c.decrypt(ct, uid, params, iv))


def pairs(c):
    for alg, length, sig in [
            (E.CryptographicAlgorithm.RSA, 2048, {
                "cryptographic_algorithm": E.CryptographicAlgorithm.RSA,
                "hashing_algorithm": E.HashingAlgorithm.SHA_256,
                "padding_method": E.PaddingMethod.PSS}),
            (E.CryptographicAlgorithm.EC, 256, {
                "cryptographic_algorithm": E.CryptographicAlgorithm.ECDSA,
                "hashing_algorithm": E.HashingAlgorithm.SHA_256})]:
        public_uid, private_uid = c.create_key_pair(
            alg, length, public_name="signer-pub", private_name="signer",
            public_usage_mask=[E.CryptographicUsageMask.VERIFY],
            private_usage_mask=[E.CryptographicUsageMask.SIGN])
        c.activate(private_uid)
        message = b"a document to sign"
        signature = c.sign(message, private_uid, sig)
        valid = c.signature_verify(message, signature, public_uid, sig)
        invalid = c.signature_verify(b"another document", signature, public_uid, sig)
        public = serialization.load_der_public_key(c.get(public_uid).value)
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, message, padding.PSS(
                mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
        else:
            public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        emit("pair", algorithm=alg.name, valid=valid.name, invalid=invalid.name,
             verifiedByCryptography=True, publicUid=public_uid, privateUid=private_uid)
        failure("get-private", lambda: c.get(private_uid))


def macs(c):
    uid = c.create(E.CryptographicAlgorithm.HMAC_SHA256, 256,
                   cryptographic_usage_mask=[E.CryptographicUsageMask.MAC_GENERATE,
                                             E.CryptographicUsageMask.MAC_VERIFY])
    c.activate(uid)
    _, first = c.mac(b"message", uid, E.CryptographicAlgorithm.HMAC_SHA256)
    _, second = c.mac(b"message", uid, E.CryptographicAlgorithm.HMAC_SHA256)
    emit("mac", length=len(first), stable=(first == second))


def registered(c):
    key_bytes = bytes(range(32))
    uid = c.register(objects.SymmetricKey(
        E.CryptographicAlgorithm.AES, 256, key_bytes,
        masks=[E.CryptographicUsageMask.ENCRYPT, E.CryptographicUsageMask.DECRYPT],
        name="brought"))
    c.activate(uid)
    iv = bytes(16)
    params = {"block_cipher_mode": E.BlockCipherMode.CBC, "padding_method": E.PaddingMethod.NONE}
    ct, _ = c.encrypt(b"sixteen byte msg", uid, params, iv)
    local = Cipher(algorithms.AES(key_bytes), modes.CBC(iv)).encryptor()
    expected = local.update(b"sixteen byte msg") + local.finalize()
    emit("register-symmetric", matches=(ct == expected))
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    spki = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pub_uid = c.register(objects.PublicKey(
        E.CryptographicAlgorithm.RSA, 2048, spki, masks=[E.CryptographicUsageMask.VERIFY],
        name="partner"))
    c.activate(pub_uid)
    message = b"signed elsewhere"
    signature = private.sign(message, padding.PKCS1v15(), hashes.SHA256())
    valid = c.signature_verify(message, signature, pub_uid, {
        "cryptographic_algorithm": E.CryptographicAlgorithm.RSA,
        "hashing_algorithm": E.HashingAlgorithm.SHA_256,
        "padding_method": E.PaddingMethod.PKCS1v15})
    emit("register-public", valid=valid.name)
    pkcs8 = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    priv_uid = c.register(objects.PrivateKey(
        E.CryptographicAlgorithm.RSA, 2048, pkcs8, E.KeyFormatType.PKCS_8,
        masks=[E.CryptographicUsageMask.SIGN], name="brought-signer"))
    c.activate(priv_uid)
    signed = c.sign(message, priv_uid, {
        "cryptographic_algorithm": E.CryptographicAlgorithm.RSA,
        "hashing_algorithm": E.HashingAlgorithm.SHA_256,
        "padding_method": E.PaddingMethod.PKCS1v15})
    private.public_key().verify(signed, message, padding.PKCS1v15(), hashes.SHA256())
    emit("register-private", signsAsItsOwnerKey=True)
    failure("get-registered-private", lambda: c.get(priv_uid))


def wrapped(c):
    """An extractable key leaves only wrapped, under a wrapping key the client knows here."""
    kek = bytes(range(100, 132))
    wrap_uid = c.register(objects.SymmetricKey(
        E.CryptographicAlgorithm.AES, 256, kek,
        masks=[E.CryptographicUsageMask.WRAP_KEY, E.CryptographicUsageMask.UNWRAP_KEY],
        name="kek"))
    c.activate(wrap_uid)
    uid = c.create(E.CryptographicAlgorithm.AES, 128,
                   cryptographic_usage_mask=[E.CryptographicUsageMask.EXPORT])
    c.activate(uid)
    failure("get-unwrapped", lambda: c.get(uid))
    spec = {"wrapping_method": E.WrappingMethod.ENCRYPT,
            "encryption_key_information": {
                "unique_identifier": wrap_uid,
                "cryptographic_parameters": {"block_cipher_mode": E.BlockCipherMode.NIST_KEY_WRAP}},
            "encoding_option": E.EncodingOption.NO_ENCODING}
    key = c.get(uid, key_wrapping_specification=spec)
    from cryptography.hazmat.primitives.keywrap import aes_key_unwrap
    plain = aes_key_unwrap(kek, key.value)
    iv = bytes(16)
    params = {"block_cipher_mode": E.BlockCipherMode.CBC, "padding_method": E.PaddingMethod.NONE}
    ct, _ = c.encrypt(b"sixteen byte msg", uid, params, iv)
    local = Cipher(algorithms.AES(plain), modes.CBC(iv)).encryptor()
    emit("get-wrapped", wrappedLength=len(key.value),
         sameKey=(ct == local.update(b"sixteen byte msg") + local.finalize()))
    never = c.create(E.CryptographicAlgorithm.AES, 128)
    failure("get-not-extractable", lambda: c.get(never, key_wrapping_specification=spec))


def versions_and_batch(c):
    c.proxy.discover_versions(batch=True)
    c.proxy.query(batch=True, query_functions=[
        E.QueryFunction.QUERY_OPERATIONS, E.QueryFunction.QUERY_OBJECTS,
        E.QueryFunction.QUERY_SERVER_INFORMATION])
    request = c.proxy._build_request_message(None, c.proxy.batch_items)
    c.proxy.batch_items = []
    results = c.proxy._process_batch_items(c.proxy._send_and_receive_message(request))
    versions = [f"{v.major}.{v.minor}" for v in results[0].protocol_versions]
    emit("batch", items=len(results), versions=versions,
         operations=sorted(o.name for o in results[1].operations),
         objects=sorted(o.name for o in results[1].object_types),
         vendor=str(results[1].vendor_identification))


def bad_input(c):
    failure("create-public", lambda: c.create(E.CryptographicAlgorithm.RSA, 2048))
    failure("create-odd-length", lambda: c.create(E.CryptographicAlgorithm.AES, 100))
    failure("get-unknown", lambda: c.get("0" * 32))
    failure("get-garbage-id", lambda: c.get("../../etc/passwd"))
    failure("activate-twice", lambda: (lambda u: (c.activate(u), c.activate(u)))(
        c.create(E.CryptographicAlgorithm.AES, 128)))


with client() as c:
    {"symmetric": symmetric, "pairs": pairs, "macs": macs, "registered": registered,
     "batch": versions_and_batch, "bad": bad_input, "wrapped": wrapped}[scenario](c)
