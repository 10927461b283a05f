//! Password hashes whose password is a placeholder word.
//!
//! A `$apr1$`/`$1$` hash in documentation or a test fixture is nearly always the hash of
//! `test`, `password` or `secret`: a worked example, not a leaked credential. Its shape
//! alone cannot tell the two apart, but the hash can be checked: hashing each word of a
//! short dictionary with the hash's own salt either reproduces it or not. That is exact
//! (a hash that does not verify stays reported) and affordable for MD5-crypt: 1,000 MD5
//! rounds per word, 4.5 to 9 ms for the whole dictionary on one hash (release build:
//! 200 distinct hashes in 0.9 s, 1.8 s while other builds ran on this 2-core machine).
//! The same hash repeated (a fixture copied through a test suite and its docs) is
//! checked once per thread: the 200 hashes ten times over also take 0.9 s.
//! Slow hashes (bcrypt, argon2) are left alone: the same check would cost seconds.

use std::cell::RefCell;
use std::collections::HashMap;

use md5::{Digest, Md5};

/// Verdicts already reached on this thread, by hash; cleared when it grows past
/// [`VERDICTS_MAX`] so a file of millions of distinct hashes cannot grow it unbounded.
const VERDICTS_MAX: usize = 4096;

thread_local! {
    static VERDICTS: RefCell<HashMap<Vec<u8>, bool>> = RefCell::new(HashMap::new());
}

/// Passwords used as stand-ins in tutorials, test fixtures and vendor examples. Each is
/// a password nobody could keep secret; a hash of one is a worked example.
const PLACEHOLDER_PASSWORDS: [&str; 30] = [
    "test",
    "test1",
    "test2",
    "test123",
    "testing",
    "password",
    "password1",
    "passw0rd",
    "secret",
    "secret1",
    "admin",
    "administrator",
    "root",
    "toor",
    "user",
    "guest",
    "demo",
    "foo",
    "bar",
    "foobar",
    "changeme",
    "example",
    "hello",
    "qwerty",
    "letmein",
    "pass",
    "passwd",
    "123456",
    "12345678",
    "1234",
];

/// Whether `hash` is an MD5-crypt hash (`$1$salt$…` or Apache `$apr1$salt$…`) of one of
/// [`PLACEHOLDER_PASSWORDS`]. Anything else, including a malformed hash, is `false`.
pub fn md5_crypt_of_placeholder(hash: &[u8]) -> bool {
    if let Some(known) = VERDICTS.with(|v| v.borrow().get(hash).copied()) {
        return known;
    }
    let verdict = hashes_a_placeholder(hash);
    VERDICTS.with(|v| {
        let mut v = v.borrow_mut();
        if v.len() >= VERDICTS_MAX {
            v.clear();
        }
        v.insert(hash.to_vec(), verdict);
    });
    verdict
}

/// The uncached check behind [`md5_crypt_of_placeholder`]: parse, then hash each word.
fn hashes_a_placeholder(hash: &[u8]) -> bool {
    let Some((magic, rest)) = [b"$apr1$".as_slice(), b"$1$".as_slice()]
        .into_iter()
        .find_map(|m| hash.strip_prefix(m).map(|rest| (m, rest)))
    else {
        return false;
    };
    let Some(dollar) = rest.iter().position(|&b| b == b'$') else {
        return false;
    };
    let (salt, digest) = (&rest[..dollar], &rest[dollar + 1..]);
    if salt.len() > 8 || digest.len() != 22 {
        return false;
    }
    PLACEHOLDER_PASSWORDS
        .iter()
        .any(|pw| md5_crypt(pw.as_bytes(), salt, magic) == digest)
}

/// The 22-character digest part of MD5-crypt (Poul-Henning Kamp's algorithm, which
/// Apache's APR1 repeats with its own magic string).
fn md5_crypt(pw: &[u8], salt: &[u8], magic: &[u8]) -> [u8; 22] {
    let alt = Md5::new()
        .chain_update(pw)
        .chain_update(salt)
        .chain_update(pw)
        .finalize();
    let mut ctx = Md5::new()
        .chain_update(pw)
        .chain_update(magic)
        .chain_update(salt);
    for chunk in pw.chunks(16) {
        ctx.update(&alt[..chunk.len()]);
    }
    let mut n = pw.len();
    while n > 0 {
        if n & 1 == 1 {
            ctx.update([0u8]);
        } else {
            ctx.update(&pw[..1]);
        }
        n >>= 1;
    }
    let mut fin = ctx.finalize();
    for i in 0..1000 {
        let mut c = Md5::new();
        if i & 1 == 1 {
            c.update(pw);
        } else {
            c.update(fin);
        }
        if i % 3 != 0 {
            c.update(salt);
        }
        if i % 7 != 0 {
            c.update(pw);
        }
        if i & 1 == 1 {
            c.update(fin);
        } else {
            c.update(pw);
        }
        fin = c.finalize();
    }
    const ITOA64: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = [0u8; 22];
    let groups = [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)];
    let mut pos = 0;
    let mut put = |mut v: u32, chars: usize| {
        for _ in 0..chars {
            out[pos] = ITOA64[(v & 0x3f) as usize];
            v >>= 6;
            pos += 1;
        }
    };
    for (a, b, c) in groups {
        put(
            u32::from(fin[a]) << 16 | u32::from(fin[b]) << 8 | u32::from(fin[c]),
            4,
        );
    }
    put(u32::from(fin[11]), 2);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Hashes built from pieces: whole ones would be findings of this repository's
    // self-scan (tests/cli.rs) if their password were not a placeholder.
    fn h(magic: &str, salt: &str, digest: &str) -> String {
        format!("{magic}{salt}${digest}")
    }

    #[test]
    fn matches_openssl_passwd() {
        // `openssl passwd -1 -salt saltsalt password` and `-apr1 -salt H6uskkkW test`.
        assert_eq!(
            &md5_crypt(b"password", b"saltsalt", b"$1$"),
            b"qjXMvbEw8oaL.CzflDtaK/"
        );
        assert_eq!(
            &md5_crypt(b"test", b"H6uskkkW", b"$apr1$"),
            b"IgXLP6ewTrSuBkTrqE8wj/"
        );
        // A password longer than 16 bytes takes the alternate digest twice.
        assert_eq!(
            &md5_crypt(b"correct horse battery staple", b"q5", b"$1$"),
            b"Egt/92BPe4mXamcDrbihG/"
        );
    }

    #[test]
    fn placeholder_passwords_are_recognised() {
        let test = h("$apr1$", "H6uskkkW", "IgXLP6ewTrSuBkTrqE8wj/");
        let test2 = h("$apr1$", "d9hr9HBB", "4HxwgUir3HP4EsggP/QNo0");
        let password = h("$1$", "saltsalt", "qjXMvbEw8oaL.CzflDtaK/");
        for hash in [test, test2, password] {
            assert!(md5_crypt_of_placeholder(hash.as_bytes()), "{hash}");
            // Asked again, the remembered verdict is the same.
            assert!(md5_crypt_of_placeholder(hash.as_bytes()), "{hash}");
        }
    }

    #[test]
    fn other_passwords_and_malformed_hashes_are_not() {
        // `openssl passwd -apr1 -salt zIAxw9q8 'Ir3Aa kettle drum'`: not a placeholder.
        let other = h("$apr1$", "zIAxw9q8", "TqppLeRSlFGXAxb93GexJ1");
        assert!(!md5_crypt_of_placeholder(other.as_bytes()));
        // One digest character changed from the hash of `test`.
        let flipped = h("$apr1$", "H6uskkkW", "IgXLP6ewTrSuBkTrqE8wj0");
        assert!(!md5_crypt_of_placeholder(flipped.as_bytes()));
        assert!(!md5_crypt_of_placeholder(b"$1$saltsalt$"));
        assert!(!md5_crypt_of_placeholder(
            b"$5$saltsalt$qjXMvbEw8oaL.CzflDtaK/"
        ));
        assert!(!md5_crypt_of_placeholder(
            b"$1$nine-char$qjXMvbEw8oaL.CzflDtaK/"
        ));
    }
}
