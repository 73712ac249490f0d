//! JWTs the emulated services sign and verify.
//!
//! One ES256 (ECDSA P-256, SHA-256) key signs every service's tokens. It is generated once, on
//! the first request against a fresh state file, and kept in the state document (PKCS#8,
//! base64), so a token minted by one sandbox process verifies in every other process that
//! shares the state file.
//!
//! The real services sign with RS256 or whatever their IdP uses. The sandbox
//! uses ES256 because `ring` can sign RSA but cannot generate RSA keys, and shipping a fixed
//! RSA private key in the binary would be worse. Nothing is lost for the client: agentcred never
//! verifies a service's signature, it only decodes `exp` (and `typ`) locally. The sandbox itself
//! verifies every token it receives (signature, then `exp`) and tells the three failures apart.
//!
//! Tokens are compact JWS: `base64url(header).base64url(payload).base64url(signature)` with the
//! header `{"alg":"ES256","typ":<typ>,"kid":<kid>}` and the 64-byte fixed-width signature.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
    UnparsedPublicKey,
};
use serde_json::{Map, Value, json};

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// Not three base64url parts, or a header/payload that is not a JSON object, or not ES256.
    Malformed(String),
    /// Well formed, but not signed by this sandbox's key.
    BadSignature,
    /// Genuine, but `exp` has passed (or is missing).
    Expired { exp: i64 },
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::Malformed(why) => write!(f, "malformed token: {why}"),
            TokenError::BadSignature => f.write_str("invalid token signature"),
            TokenError::Expired { exp } => write!(f, "token expired at {exp}"),
        }
    }
}

impl std::error::Error for TokenError {}

/// A token whose signature checked out.
#[derive(Debug, Clone)]
pub struct Verified {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
}

impl Verified {
    /// The token type: the header's `typ`, or the payload's when the header has none.
    pub fn typ(&self) -> Option<&str> {
        self.header
            .get("typ")
            .and_then(Value::as_str)
            .or_else(|| self.claims.get("typ").and_then(Value::as_str))
    }

    /// Whether either the header or the payload says `typ` is `typ` (a VC is marked in both).
    pub fn has_typ(&self, typ: &str) -> bool {
        [&self.header, &self.claims]
            .iter()
            .any(|m| m.get("typ").and_then(Value::as_str) == Some(typ))
    }

    pub fn exp(&self) -> Option<i64> {
        self.claims.get("exp").and_then(Value::as_i64)
    }

    /// Refuse the token when `now` (unix seconds) is at or past `exp` (RFC 7519 §4.1.4); a token
    /// with no `exp` is refused too, since every sandbox token carries one.
    pub fn check_exp(&self, now: i64) -> Result<(), TokenError> {
        match self.exp() {
            Some(exp) if now < exp => Ok(()),
            Some(exp) => Err(TokenError::Expired { exp }),
            None => Err(TokenError::Expired { exp: 0 }),
        }
    }

    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }
}

/// The sandbox's signing key.
pub struct SigningKey {
    pair: EcdsaKeyPair,
}

impl SigningKey {
    /// A fresh key as base64 PKCS#8, for the state document.
    pub fn generate_pkcs8_b64() -> Result<String, TokenError> {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| TokenError::Malformed("cannot generate an ES256 key".into()))?;
        Ok(STANDARD.encode(doc.as_ref()))
    }

    pub fn from_pkcs8_b64(b64: &str) -> Result<SigningKey, TokenError> {
        let der = STANDARD
            .decode(b64.trim())
            .map_err(|_| TokenError::Malformed("signing key is not base64".into()))?;
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &SystemRandom::new())
                .map_err(|_| {
                    TokenError::Malformed("signing key is not an ES256 PKCS#8 key".into())
                })?;
        Ok(SigningKey { pair })
    }

    /// Sign `claims` with header `{"alg":"ES256","typ":typ,"kid":kid}`.
    pub fn sign(&self, claims: &Value, typ: &str, kid: &str) -> Result<String, TokenError> {
        let header = json!({"alg": "ES256", "typ": typ, "kid": kid});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig = self
            .pair
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .map_err(|_| TokenError::Malformed("signing failed".into()))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(sig.as_ref())
        ))
    }

    /// Check the token's structure and signature, not its expiry.
    pub fn verify_signature(&self, token: &str) -> Result<Verified, TokenError> {
        let (header, claims, signing_input, sig) = split(token)?;
        if header.get("alg").and_then(Value::as_str) != Some("ES256") {
            return Err(TokenError::Malformed("alg is not ES256".into()));
        }
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, self.pair.public_key().as_ref())
            .verify(signing_input.as_bytes(), &sig)
            .map_err(|_| TokenError::BadSignature)?;
        Ok(Verified { header, claims })
    }

    /// Check structure, signature and `exp` against `now` (unix seconds).
    pub fn verify(&self, token: &str, now: i64) -> Result<Verified, TokenError> {
        let verified = self.verify_signature(token)?;
        verified.check_exp(now)?;
        Ok(verified)
    }

    /// The public key as a JWKS document (`{"keys":[EC JWK]}`) under `kid`.
    pub fn jwks(&self, kid: &str) -> Value {
        // An uncompressed SEC1 point: 0x04 || x (32 bytes) || y (32 bytes).
        let point = self.pair.public_key().as_ref();
        let (x, y) = point[1..].split_at(32);
        json!({"keys": [{
            "kty": "EC",
            "crv": "P-256",
            "alg": "ES256",
            "use": "sig",
            "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(x),
            "y": URL_SAFE_NO_PAD.encode(y),
        }]})
    }
}

/// Decode a token's header and payload without checking anything else.
pub fn decode_unverified(token: &str) -> Result<Verified, TokenError> {
    let (header, claims, _, _) = split(token)?;
    Ok(Verified { header, claims })
}

type Parts<'a> = (Map<String, Value>, Map<String, Value>, &'a str, Vec<u8>);

fn split(token: &str) -> Result<Parts<'_>, TokenError> {
    let token = token.trim();
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed(
            "not three dot-separated parts".into(),
        ));
    };
    let object = |part: &str, what: &str| -> Result<Map<String, Value>, TokenError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| TokenError::Malformed(format!("{what} is not base64url")))?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(TokenError::Malformed(format!(
                "{what} is not a JSON object"
            ))),
        }
    };
    let header = object(h, "header")?;
    let claims = object(p, "payload")?;
    let sig = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| TokenError::Malformed("signature is not base64url".into()))?;
    let signing_input = &token[..h.len() + 1 + p.len()];
    Ok((header, claims, signing_input, sig))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_pkcs8_b64(&SigningKey::generate_pkcs8_b64().unwrap()).unwrap()
    }

    #[test]
    fn sign_then_verify_round_trips() {
        let key = key();
        let token = key
            .sign(
                &json!({"agent_id": "ag_1", "iat": 100, "exp": 200}),
                "JWT",
                "agent-did-key",
            )
            .unwrap();
        let v = key.verify(&token, 150).unwrap();
        assert_eq!(v.claim_str("agent_id"), Some("ag_1"));
        assert_eq!(v.header["alg"], "ES256");
        assert_eq!(v.header["kid"], "agent-did-key");
        assert_eq!(v.typ(), Some("JWT"));
    }

    #[test]
    fn expiry_signature_and_shape_fail_distinctly() {
        let key = key();
        let token = key.sign(&json!({"exp": 200}), "JWT", "k").unwrap();
        assert_eq!(
            key.verify(&token, 200).unwrap_err(),
            TokenError::Expired { exp: 200 }
        );
        let other = self::key();
        assert_eq!(
            other.verify(&token, 100).unwrap_err(),
            TokenError::BadSignature
        );
        // A payload edited after signing.
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(r#"{"exp":999999}"#);
        parts[1] = &forged;
        assert_eq!(
            key.verify(&parts.join("."), 100).unwrap_err(),
            TokenError::BadSignature
        );
        assert!(matches!(
            key.verify("abc", 100),
            Err(TokenError::Malformed(_))
        ));
        assert!(matches!(
            key.verify("a.b.c", 100),
            Err(TokenError::Malformed(_))
        ));
    }

    #[test]
    fn jwks_has_the_public_point() {
        let jwks = key().jwks("agent-did-key");
        let jwk = &jwks["keys"][0];
        assert_eq!(jwk["kty"], "EC");
        assert_eq!(
            URL_SAFE_NO_PAD
                .decode(jwk["x"].as_str().unwrap())
                .unwrap()
                .len(),
            32
        );
        assert_eq!(
            URL_SAFE_NO_PAD
                .decode(jwk["y"].as_str().unwrap())
                .unwrap()
                .len(),
            32
        );
    }
}
