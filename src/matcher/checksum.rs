//! Checksums built into some token formats, checked so that a random string of the
//! right shape is not reported as a token.
//!
//! A rule opts in with `checksum = "…"` ([`crate::rules::Checksum`]); the filter chain
//! ([`super::filter`]) runs the check once the value has passed the other per-match
//! filters.

/// GitHub's token checksum: `prefix_` + 30 random base62 characters + 6 base62
/// characters encoding the CRC32 of those 30.
pub fn github_checksum_ok(token: &[u8]) -> bool {
    let body = match token.iter().rposition(|&b| b == b'_') {
        Some(i) => &token[i + 1..],
        None => token,
    };
    if body.len() != 36 {
        return false;
    }
    let (random, check) = body.split_at(30);
    base62_6(crc32(random)).as_bytes() == check
}

/// `n` as six base62 digits, most significant first: how GitHub writes the checksum.
fn base62_6(mut n: u32) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    out.iter().map(|&b| char::from(b)).collect()
}

/// PyPI API tokens are `pypi-` + a base64url-encoded v2 macaroon. Its binary form opens
/// with the version byte 2, then field type 1 (location) with a one-byte length and the
/// index's host name (`pypi.org`, `test.pypi.org`), then field type 2 (identifier). Only
/// the first 60 characters are decoded: enough for the header, whatever the token's size.
pub fn pypi_macaroon_ok(token: &[u8]) -> bool {
    let Some(body) = token.strip_prefix(b"pypi-") else {
        return false;
    };
    let head = base64url_decode(&body[..body.len().min(60) / 4 * 4]);
    let [2, 1, len, rest @ ..] = head.as_slice() else {
        return false;
    };
    let len = usize::from(*len);
    let Some(host) = rest.get(..len) else {
        return false;
    };
    len >= 4
        && host.contains(&b'.')
        && host
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-'))
        && rest.get(len) == Some(&2)
}

/// Decode unpadded base64url (or standard base64); stops at the first other byte.
fn base64url_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in s {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => break,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xFF).unwrap_or_default());
        }
    }
    out
}

/// The text padded standard base64 `value` stands for, when it decodes to printable
/// ASCII (spaces and line breaks included); `None` for anything else.
pub(super) fn base64_text(value: &[u8]) -> Option<Vec<u8>> {
    if value.is_empty() || !value.len().is_multiple_of(4) {
        return None;
    }
    let body = value
        .strip_suffix(b"==")
        .or_else(|| value.strip_suffix(b"="))
        .unwrap_or(value);
    if !body
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
    {
        return None;
    }
    let decoded = base64url_decode(body);
    let printable = |b: &u8| b.is_ascii_graphic() || matches!(b, b' ' | b'\n' | b'\r' | b'\t');
    (!decoded.is_empty() && decoded.iter().all(printable)).then_some(decoded)
}

/// A Kubernetes Secret `data:` value that holds a secret. The API accepts only padded
/// standard base64, so a value whose length is not a multiple of 4 is some other YAML
/// field (`clientAuthType: VerifyClientCertIfGiven` in the next document). What it
/// decodes to must be secret: a certificate or public key is published on purpose, an
/// empty PEM envelope (`-----BEGIN PRIVATE KEY-----` straight into `-----END`) is a
/// fixture's stand-in, and text the placeholder checks reject (`changeme`, `${VAR}`,
/// `admin_password`, `secret_data1`) is no more a secret encoded than it is in clear.
pub fn base64_data_ok(value: &[u8]) -> bool {
    if !value.len().is_multiple_of(4) {
        return false;
    }
    let decoded = base64url_decode(value);
    let text = String::from_utf8_lossy(&decoded);
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("-----BEGIN ") {
        let label = rest.split("-----").next().unwrap_or_default();
        if label.contains("CERTIFICATE") || label.contains("PUBLIC KEY") {
            return false;
        }
        let body = rest.split_once('\n').map_or("", |(_, body)| {
            body.split("-----END").next().unwrap_or_default()
        });
        return body.bytes().any(|b| b.is_ascii_alphanumeric());
    }
    let printable =
        !decoded.is_empty() && decoded.iter().all(|&b| b.is_ascii_graphic() || b == b' ');
    !(printable
        && (super::filter::looks_like_placeholder(&decoded)
            || super::generic::dictionary_word(&decoded)))
}

/// What a JWT's header and payload say: enough to judge it and to describe it in a
/// finding, never its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtClaims {
    /// The header's `alg`.
    pub alg: String,
    /// The payload's `iss`.
    pub iss: Option<String>,
    /// The payload's `aud` (the first one of a list).
    pub aud: Option<String>,
    /// The payload's `exp`, seconds since the Unix epoch.
    pub exp: Option<i64>,
}

impl JwtClaims {
    /// Whether the token can no longer be used as it stands: expired at `now`, or
    /// unsigned (`alg: none`).
    pub fn spent(&self, now: i64) -> bool {
        self.alg.eq_ignore_ascii_case("none") || self.exp.is_some_and(|exp| exp < now)
    }

    /// A one-line description for the finding's message.
    pub fn describe(&self, now: i64) -> String {
        let mut parts = vec![format!("alg {}", self.alg)];
        if let Some(iss) = &self.iss {
            parts.push(format!("iss {iss}"));
        }
        if let Some(aud) = &self.aud {
            parts.push(format!("aud {aud}"));
        }
        match self.exp {
            Some(exp) if exp < now => parts.push(format!("expired (exp {exp})")),
            Some(exp) => parts.push(format!("expires (exp {exp})")),
            None => parts.push("no expiry".to_string()),
        }
        parts.join(", ")
    }
}

/// The claims of `token` if it is a JWT: three dot-separated base64url parts whose first
/// two decode to JSON objects, the first naming `alg`. The samples everyone copies (the
/// jwt.io default: `sub` 1234567890, `name` John Doe) are not credentials.
pub fn jwt_claims(token: &[u8]) -> Option<JwtClaims> {
    let mut parts = token.split(|&b| b == b'.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: serde_json::Value = serde_json::from_slice(&base64url_decode(header)).ok()?;
    let payload: serde_json::Value = serde_json::from_slice(&base64url_decode(payload)).ok()?;
    let (header, payload) = (header.as_object()?, payload.as_object()?);
    let alg = header.get("alg")?.as_str()?.to_string();
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) => a.first().and_then(|x| x.as_str()).map(String::from),
        _ => None,
    };
    let sample = payload.get("sub").and_then(|v| v.as_str()) == Some("1234567890")
        && payload.get("name").and_then(|v| v.as_str()) == Some("John Doe");
    if sample {
        return None;
    }
    Some(JwtClaims {
        alg,
        iss: payload.get("iss").and_then(text),
        aud: payload.get("aud").and_then(text),
        exp: payload.get("exp").and_then(serde_json::Value::as_i64),
    })
}

/// CRC-32 (IEEE 802.3), bitwise: tokens are short.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Build a GitHub-style token with a valid checksum (for tests and fixtures).
pub fn github_token_with_checksum(prefix: &str, random30: &str) -> String {
    format!("{prefix}{random30}{}", base62_6(crc32(random30.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypi_macaroon_header_decodes() {
        // "\x02\x01\x08pypi.org\x02..." and "\x02\x01\x0dtest.pypi.org\x02...", base64url.
        let real = format!(
            "pypi-{}{}",
            "AgEIcHlwaS5vcmcCJDkwNzYwNzU1", "LWMwOTUtNGNkOC1iYjQzLTU3OWNhZjI1NDQ1MwACJXsi"
        );
        assert!(pypi_macaroon_ok(real.as_bytes()));
        let test = format!(
            "pypi-{}{}",
            "AgENdGVzdC5weXBpLm9yZwIlZDFh", "ZjgyMTItMDBhNC00YjJjLWE3NDEtOGYxZjM5ZDNkMjE0AA"
        );
        assert!(pypi_macaroon_ok(test.as_bytes()));
        let wrong_version = format!(
            "pypi-{}{}",
            "AwEIcHlwaS5vcmcCJDkwNzYwNzU1", "LWMwOTUtNGNkOC1iYjQz"
        );
        assert!(!pypi_macaroon_ok(wrong_version.as_bytes()));
        assert!(!pypi_macaroon_ok(b"pypi-Zm9vYmFyYmF6cXV4cXV1eGZvb2Jhcg"));
        assert!(!pypi_macaroon_ok(b"pypi-"));
        assert!(!pypi_macaroon_ok(b"npm_AgEIcHlwaS5vcmcCJDkwNzYwNzU1"));
    }

    #[test]
    fn npm_tokens_share_the_github_checksum() {
        let good = github_token_with_checksum("npm_", "Tq8Lw2Rv7Tb5Kc9Mz4Hp1Jd6Gs0Ya3");
        assert!(github_checksum_ok(good.as_bytes()));
        let mut bad = good.into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert!(!github_checksum_ok(&bad));
    }

    /// Standard padded base64 of `s`, for building `data:` values in tests.
    fn b64(s: &str) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in s.as_bytes().chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn kubernetes_data_keeps_secrets() {
        assert!(base64_data_ok(b64("kettle-drum-42-Wr8Kq2Zx").as_bytes()));
        assert!(base64_data_ok(b"cMPOx083pKruwmsiYpuCehxI"));
        let key = concat!(
            "-----BEGIN PRIVATE ",
            "KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----\n"
        );
        assert!(base64_data_ok(b64(key).as_bytes()));
    }

    #[test]
    fn kubernetes_data_drops_public_and_stand_in_values() {
        // Not padded base64: another YAML field after the Secret.
        assert!(!base64_data_ok(b"VerifyClientCertIfGiven"));
        let cert = "-----BEGIN CERTIFICATE-----\nMIIBqDCCAU6gAwIBAgIU\n-----END CERTIFICATE-----\n";
        assert!(!base64_data_ok(b64(cert).as_bytes()));
        assert!(!base64_data_ok(
            b64("-----BEGIN CERTIFICATE-----").as_bytes()
        ));
        let public = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYI\n-----END PUBLIC KEY-----";
        assert!(!base64_data_ok(b64(public).as_bytes()));
        let empty = concat!("-----BEGIN PRIVATE ", "KEY-----\n-----END PRIVATE KEY-----");
        assert!(!base64_data_ok(b64(empty).as_bytes()));
        assert!(!base64_data_ok(b64("changeme-please").as_bytes()));
        assert!(!base64_data_ok(b64("${DB_PASSWORD}").as_bytes()));
        assert!(!base64_data_ok(b64("admin_password").as_bytes()));
        assert!(!base64_data_ok(b64("secret_data1").as_bytes()));
    }

    #[test]
    fn github_checksum_round_trips() {
        let t = github_token_with_checksum("ghp_", "Zq3xT9pLm2Vw8Rk4Yb7Nc1Hd6Jf5Gs");
        assert_eq!(t.len(), 40);
        assert!(github_checksum_ok(t.as_bytes()));
        let mut bad = t.into_bytes();
        bad[10] ^= 1;
        assert!(!github_checksum_ok(&bad));
    }
}
