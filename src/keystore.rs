//! Recognises binary credential files by their structure: PKCS#12 (`.p12`, `.pfx`) and
//! Java keystores (JKS, JCEKS) hold private keys, and an encrypted credentials store
//! (DBeaver's `credentials-config.json`) holds passwords, yet all of them are binary, so
//! the text pipeline would only count them as skipped. A rule with a `structure` names
//! one of these formats; the scanner asks [`Structure::recognises`] of every blob it is
//! about to read (a few byte comparisons: the formats open with magic numbers or a DER
//! header), and reports a recognised file as one finding whose secret is the SHA-256 of
//! the file's bytes, never the bytes themselves.

use sha2::{Digest, Sha256};

/// A file format a rule recognises by its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Structure {
    /// PKCS#12 (RFC 7292): a DER `PFX` sequence, version 3, whose content is
    /// `pkcs7-data`.
    Pkcs12,
    /// A Sun/Oracle JKS keystore: magic `FE ED FE ED`, version 1 or 2.
    Jks,
    /// A JCEKS keystore: magic `CE CE CE CE`, version 2.
    Jceks,
    /// Ciphertext with no structure but its size: at least two AES blocks, a whole
    /// number of them, not JSON. Meaningful only in a rule restricted by `paths`.
    EncryptedBlob,
}

/// The DER encoding of OID 1.2.840.113549.1.7.1 (`pkcs7-data`), tag and length included.
const PKCS7_DATA: [u8; 11] = [
    0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01,
];

/// AES's block size: an encrypted blob is a whole number of blocks (IV included).
const AES_BLOCK: usize = 16;

impl Structure {
    /// The names rule files use.
    pub const NAMES: [(&'static str, Structure); 4] = [
        ("pkcs12", Structure::Pkcs12),
        ("jks", Structure::Jks),
        ("jceks", Structure::Jceks),
        ("encrypted-blob", Structure::EncryptedBlob),
    ];

    /// The format named `name` in a rule file.
    pub fn parse(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, s)| s)
    }

    /// Whether a file starting with `head` is in this format; `len` is the file's size
    /// when `head` is all of it. An encrypted blob has only its size to go by, so it is
    /// recognised only in a file read whole (credential stores are a few hundred bytes).
    pub fn recognises(self, head: &[u8], len: Option<u64>) -> bool {
        match self {
            Structure::Pkcs12 => is_pkcs12(head),
            Structure::Jks => java_keystore(head, [0xFE, 0xED, 0xFE, 0xED], &[1, 2]),
            Structure::Jceks => java_keystore(head, [0xCE, 0xCE, 0xCE, 0xCE], &[2]),
            Structure::EncryptedBlob => {
                len.is_some_and(|n| n >= 2 * AES_BLOCK as u64 && n.is_multiple_of(AES_BLOCK as u64))
                    && !matches!(
                        head.iter().find(|b| !b.is_ascii_whitespace()),
                        Some(b'{' | b'[')
                    )
            }
        }
    }
}

/// `FE ED FE ED` / `CE CE CE CE`, a big-endian version among `versions`, and an entry
/// count that fits in the file's 32 bits (any value does; the header is 12 bytes).
fn java_keystore(head: &[u8], magic: [u8; 4], versions: &[u32]) -> bool {
    let Some(header) = head.get(..12) else {
        return false;
    };
    let version = u32::from_be_bytes([header[4], header[5], header[6], header[7]]);
    header[..4] == magic && versions.contains(&version)
}

/// `SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data, … } … }`: the PFX header of RFC
/// 7292, section 4, with definite (DER) or indefinite (BER) lengths.
fn is_pkcs12(head: &[u8]) -> bool {
    let Some(rest) = sequence_body(head) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(&[0x02, 0x01, 0x03]) else {
        return false;
    };
    sequence_body(rest).is_some_and(|auth_safe| auth_safe.starts_with(&PKCS7_DATA))
}

/// The bytes after a SEQUENCE tag and its length octets, if `der` starts with one.
fn sequence_body(der: &[u8]) -> Option<&[u8]> {
    let (&tag, rest) = der.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    match first {
        // Short form, or BER's indefinite length.
        0x00..=0x80 => Some(rest),
        // Long form: 1 to 4 length octets.
        0x81..=0x84 => rest.get(usize::from(first & 0x7F)..),
        _ => None,
    }
}

/// What a finding of a recognised file holds instead of its bytes: `sha256:` and the
/// hex digest, so the fingerprint follows the file's content and a report never carries
/// key material.
pub fn digest(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let mut s = String::with_capacity(7 + 64);
    s.push_str("sha256:");
    for b in d {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The opening of a PKCS#12 file as OpenSSL and keytool write it: PFX sequence,
    /// version 3, then the authSafe ContentInfo with `pkcs7-data`.
    fn pkcs12_head() -> Vec<u8> {
        let mut v = vec![
            0x30, 0x82, 0x09, 0x8C, 0x02, 0x01, 0x03, 0x30, 0x82, 0x09, 0x52,
        ];
        v.extend_from_slice(&PKCS7_DATA);
        v.extend_from_slice(&[0xA0, 0x82, 0x09, 0x43, 0x04, 0x82, 0x09, 0x3F]);
        v
    }

    #[test]
    fn a_pkcs12_header_is_recognised_with_der_or_ber_lengths() {
        assert!(Structure::Pkcs12.recognises(&pkcs12_head(), Some(2448)));
        let mut short = vec![0x30, 0x40, 0x02, 0x01, 0x03, 0x30, 0x20];
        short.extend_from_slice(&PKCS7_DATA);
        assert!(Structure::Pkcs12.recognises(&short, Some(66)));
        let mut ber = vec![0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x80];
        ber.extend_from_slice(&PKCS7_DATA);
        assert!(Structure::Pkcs12.recognises(&ber, Some(100)));
    }

    #[test]
    fn other_der_files_are_not_pkcs12() {
        // An X.509 certificate: SEQUENCE { SEQUENCE { [0] { INTEGER 2 } … } }.
        let cert = [
            0x30, 0x82, 0x03, 0x0A, 0x30, 0x82, 0x01, 0xF2, 0xA0, 0x03, 0x02, 0x01, 0x02,
        ];
        assert!(!Structure::Pkcs12.recognises(&cert, Some(782)));
        // Version 3 but the content is pkcs7-signedData (…07 02), not data.
        let mut signed = pkcs12_head();
        signed[7 + 4 + 10] = 0x02;
        assert!(!Structure::Pkcs12.recognises(&signed, Some(2448)));
        // Version 2.
        let mut v2 = pkcs12_head();
        v2[6] = 0x02;
        assert!(!Structure::Pkcs12.recognises(&v2, Some(2448)));
        assert!(!Structure::Pkcs12.recognises(&[0x30], Some(1)));
        assert!(!Structure::Pkcs12.recognises(&[], Some(0)));
    }

    #[test]
    fn java_keystores_are_known_by_magic_and_version() {
        let jks = [0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1];
        assert!(Structure::Jks.recognises(&jks, Some(2000)));
        assert!(!Structure::Jceks.recognises(&jks, Some(2000)));
        let jceks = [0xCE, 0xCE, 0xCE, 0xCE, 0, 0, 0, 2, 0, 0, 0, 3];
        assert!(Structure::Jceks.recognises(&jceks, Some(3000)));
        assert!(!Structure::Jks.recognises(&jceks, Some(3000)));
        // A wrong version, and a header cut short.
        assert!(
            !Structure::Jks.recognises(&[0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 9, 0, 0, 0, 1], Some(12))
        );
        assert!(!Structure::Jks.recognises(&jks[..8], Some(8)));
    }

    #[test]
    fn an_encrypted_blob_is_whole_aes_blocks_and_not_json() {
        let blob = [0x8Fu8; 48];
        assert!(Structure::EncryptedBlob.recognises(&blob, Some(48)));
        assert!(!Structure::EncryptedBlob.recognises(&blob[..40], Some(40)));
        assert!(!Structure::EncryptedBlob.recognises(&blob[..16], Some(16)));
        // Known only by its size, it is never recognised from a head alone.
        assert!(!Structure::EncryptedBlob.recognises(&blob, None));
        let json = b"  {\"conn-1\":{\"#connection\":{\"user\":\"sa\"}}}\n\n\n\n\n\n";
        assert_eq!(json.len() % 16, 0);
        assert!(!Structure::EncryptedBlob.recognises(json, Some(json.len() as u64)));
    }

    #[test]
    fn the_digest_names_its_algorithm_and_follows_the_bytes() {
        let a = digest(b"abc");
        assert_eq!(
            a,
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(a, digest(b"abd"));
    }

    #[test]
    fn every_name_parses_to_its_structure() {
        for (name, s) in Structure::NAMES {
            assert_eq!(Structure::parse(name), Some(s));
        }
        assert_eq!(Structure::parse("pkcs7"), None);
    }
}
