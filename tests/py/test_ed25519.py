"""Ed25519 (RFC 8032): the §7.1 test vectors, strict decoding, and strong unforgeability against (R, S + L)."""

import hashlib

import pytest

from backdoor_playground.signature import ed25519 as ed

# RFC 8032 §7.1 TEST 1024: a 1023-byte message.
MSG_1023 = bytes.fromhex(
    "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
    "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
    "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
    "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
    "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
    "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
    "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
    "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7"
    "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
    "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
    "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
    "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
    "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc"
    "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07"
    "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
    "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a"
    "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e"
    "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
    "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c"
    "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
    "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
    "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
    "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
    "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
    "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
    "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e"
    "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
    "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5"
    "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1"
    "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
    "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c"
    "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0"
)

# (name, secret key, public key, message, signature), typed from RFC 8032 §7.1.
VECTORS = [
    ("TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", b"",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", bytes.fromhex("72"),
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", bytes.fromhex("af82"),
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    ("TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e", MSG_1023,
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
     "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"),
    ("TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", hashlib.sha512(b"abc").digest(),
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
     "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"),
]


def _naive_mul(k, pt):
    """Plain double-and-add with the complete addition law: the reference the fast paths must agree with."""
    acc = ed.IDENTITY
    while k:
        if k & 1:
            acc = ed._add(acc, pt)
        pt = ed._add(pt, pt)
        k >>= 1
    return acc


@pytest.mark.parametrize("name, sk, pk, msg, sig", VECTORS, ids=[v[0] for v in VECTORS])
def test_rfc8032_vectors(name, sk, pk, msg, sig):
    seed = bytes.fromhex(sk)
    assert ed.public_key(seed).hex() == pk
    assert ed.sign(seed, msg).hex() == sig
    assert ed.verify(bytes.fromhex(pk), msg, bytes.fromhex(sig))


def test_vector_messages_are_the_rfc_ones():
    assert len(MSG_1023) == 1023
    assert VECTORS[4][3].hex().startswith("ddaf35a193617aba")


def test_every_flipped_signature_bit_is_rejected():
    _, sk, pk, msg, sig = VECTORS[1]
    pub, sig = bytes.fromhex(pk), bytes.fromhex(sig)
    for bit in range(512):
        bad = bytearray(sig)
        bad[bit // 8] ^= 1 << (bit % 8)
        assert not ed.verify(pub, msg, bytes(bad)), bit


def test_changed_message_and_other_key_are_rejected():
    _, sk, pk, msg, sig = VECTORS[2]
    pub, sig = bytes.fromhex(pk), bytes.fromhex(sig)
    assert not ed.verify(pub, msg + b"\x00", sig)
    assert not ed.verify(pub, b"\xaf\x83", sig)
    assert not ed.verify(bytes.fromhex(VECTORS[0][2]), msg, sig)


def test_s_plus_l_satisfies_the_group_equation_but_is_rejected():
    _, sk, pk, msg, sig = VECTORS[1]
    pub, sig = bytes.fromhex(pk), bytes.fromhex(sig)
    s = int.from_bytes(sig[32:], "little")
    # [S + L]B == [S]B, so only the S < L check stands between us and a second valid signature.
    assert ed._equal(ed.mul_base(s + ed.L), ed.mul_base(s))
    for extra in (ed.L, 2 * ed.L, 8 * ed.L):
        assert s + extra < 2**256
        assert not ed.verify(pub, msg, sig[:32] + (s + extra).to_bytes(32, "little"))
    assert not ed.verify(pub, msg, sig[:32] + ed.L.to_bytes(32, "little"))


def test_non_canonical_and_off_curve_encodings_are_rejected():
    identity = ed.encode_point(ed.IDENTITY)
    assert identity == (1).to_bytes(32, "little")
    assert ed.decode_point(identity) is not None
    assert ed.decode_point((1 + ed.P).to_bytes(32, "little")) is None          # y >= p: non-canonical identity
    assert ed.decode_point(ed.P.to_bytes(32, "little")) is None
    assert ed.decode_point((1 | 1 << 255).to_bytes(32, "little")) is None      # x = 0 with the sign bit set
    off = next(y for y in range(2, 100) if ed._recover_x(y, 0) is None)
    assert ed.decode_point(off.to_bytes(32, "little")) is None
    _, sk, pk, msg, sig = VECTORS[0]
    sig = bytes.fromhex(sig)
    assert not ed.verify(off.to_bytes(32, "little"), msg, sig)
    assert not ed.verify(bytes.fromhex(pk), msg, off.to_bytes(32, "little") + sig[32:])


def test_garbage_never_raises():
    _, sk, pk, msg, sig = VECTORS[0]
    pub, sig = bytes.fromhex(pk), bytes.fromhex(sig)
    for bad_sig in (b"", sig[:63], sig + b"\x00", bytes(64), b"\xff" * 64, None, "text", 12, [1, 2]):
        assert ed.verify(pub, msg, bad_sig) is False
    for bad_pub in (b"", pub[:31], b"\xff" * 32, None, "x" * 32):
        assert ed.verify(bad_pub, msg, sig) is False
    assert ed.verify(pub, None, sig) is False


def test_scalar_multiplication_paths_agree():
    import numpy as np

    gen = np.random.default_rng(7)
    scalars = [0, 1, 2, 15, 16, 17, ed.L - 1, ed.L, 2**255 - 1]
    scalars += [int.from_bytes(gen.bytes(32), "little") for _ in range(6)]
    for k in scalars:
        ref = _naive_mul(k, ed.BASE)
        assert ed._equal(ed.mul_base(k), ref), k
        assert ed._equal(ed.mul(k, ed.BASE), ref), k
        assert ed.on_curve(ed.mul(k, ed.BASE)) and ed.on_curve(ed.mul_base(k))
    assert ed._equal(ed.mul_base(ed.L), ed.IDENTITY)
    pt = ed.mul_base(123456789)
    assert ed._equal(ed.decode_point(ed.encode_point(pt)), pt)


def test_sign_is_deterministic_and_needs_a_32_byte_seed():
    seed = bytes(range(32))
    assert ed.sign(seed, b"m") == ed.sign(seed, b"m") != ed.sign(seed, b"n")
    with pytest.raises(ValueError):
        ed.public_key(b"short")
