//! Secrets: random tokens (sessions, customer chats, demo passwords), their SHA-256 hashes,
//! and Argon2id password hashes. None of them is ever logged.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// `bytes` random bytes from the operating system, as lowercase hexadecimal (URL-safe).
pub fn random_hex(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer)?;
    Ok(buffer.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// A new token of 32 random bytes.
pub fn new_token() -> Result<String, getrandom::Error> {
    random_hex(32)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Whether `token` hashes to `stored`, in constant time.
pub fn token_matches(token: &str, stored: &[u8]) -> bool {
    token_hash(token).ct_eq(stored).into()
}

/// The Argon2id hash of `password` (default parameters, a random salt), as a PHC string.
pub fn hash_password(password: &str) -> Result<String, String> {
    let hash: PasswordHash = Argon2::default().hash_password(password.as_bytes()).map_err(|error| error.to_string())?;
    Ok(hash.to_string())
}

pub fn password_matches(password: &str, stored: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), stored).is_ok()
}

/// What a password must be: said in words when it is not.
pub fn check_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD {
        return Err(format!("A password has at least {MIN_PASSWORD} characters."));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!("A password has at most {MAX_PASSWORD_BYTES} bytes."));
    }
    Ok(())
}

pub const MIN_PASSWORD: usize = 12;
/// Hashing is slow on purpose; a huge password must not make it slower.
pub const MAX_PASSWORD_BYTES: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_64_hex_digits_and_matches_only_its_hash() {
        let token = new_token().expect("random");
        assert_eq!(token.len(), 64);
        assert!(token.bytes().all(|byte| byte.is_ascii_hexdigit()));
        let stored = token_hash(&token);
        assert!(token_matches(&token, &stored));
        assert!(!token_matches(&new_token().expect("random"), &stored));
    }

    #[test]
    fn a_password_hash_is_argon2id_and_verifies() {
        let hash = hash_password("correct horse battery").expect("hashed");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(password_matches("correct horse battery", &hash));
        assert!(!password_matches("correct horse batterY", &hash));
    }
}
