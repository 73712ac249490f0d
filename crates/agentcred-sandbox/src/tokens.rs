//! JWTs the emulated services sign and verify, and the keys they sign with.
//!
//! Keys live in the state document (PKCS#8, base64), so a token minted by one sandbox process
//! verifies in every other process that shares the state file. There are two kinds:
//!
//! - the shared ES256 key ([`StateDoc::signing_key`](crate::state::StateDoc::signing_key)),
//!   generated with a fresh state, for the services whose real algorithm is not known;
//! - named keys ([`StateDoc::named_key`](crate::state::StateDoc::named_key)) a service asks for
//!   by name and algorithm, generated the first time it asks, for services whose algorithm
//!   and key set are documented (FluxA's RS256 key, AuthPI's ES256, EdDSA and RS256 keys).
//!   A name belongs to one service, so two services never share a key.
//!
//! RSA keys are generated with the `rsa` crate (ring cannot generate RSA keys) and used with
//! ring; ES256 and EdDSA keys are ring's own. The sandbox verifies every token it receives
//! (signature, then `exp`) and tells the three failures apart.
//!
//! Tokens are compact JWS: `base64url(header).base64url(payload).base64url(signature)` with the
//! header `{"alg":<alg>,"typ":<typ>,"kid":<kid>}`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, ED25519, EcdsaKeyPair,
    Ed25519KeyPair, KeyPair, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair,
    UnparsedPublicKey,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// A JWS algorithm the sandbox signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Alg {
    ES256,
    RS256,
    EdDSA,
}

impl Alg {
    pub fn as_str(self) -> &'static str {
        match self {
            Alg::ES256 => "ES256",
            Alg::RS256 => "RS256",
            Alg::EdDSA => "EdDSA",
        }
    }

    /// A fresh private key of this algorithm, PKCS#8 DER.
    pub fn generate_pkcs8(self) -> Result<Vec<u8>, TokenError> {
        let failed = |what: &str| TokenError::Malformed(format!("cannot generate {what}"));
        match self {
            Alg::ES256 => {
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                    .map(|doc| doc.as_ref().to_vec())
                    .map_err(|_| failed("an ES256 key"))
            }
            Alg::EdDSA => Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
                .map(|doc| doc.as_ref().to_vec())
                .map_err(|_| failed("an EdDSA key")),
            Alg::RS256 => {
                use rsa::pkcs8::EncodePrivateKey as _;
                let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, RSA_BITS)
                    .map_err(|_| failed("an RSA key"))?;
                key.to_pkcs8_der()
                    .map(|doc| doc.as_bytes().to_vec())
                    .map_err(|_| failed("an RSA key"))
            }
        }
    }

    /// [`Alg::generate_pkcs8`], but one key per (`name`, algorithm) and process: generating
    /// an RSA key takes a noticeable fraction of a second, and test suites start many sandboxes
    /// on fresh state files in one process. Keys of different names are always different.
    pub fn generate_pkcs8_for(self, name: &str) -> Result<Vec<u8>, TokenError> {
        static GENERATED: Mutex<BTreeMap<(String, &'static str), Vec<u8>>> =
            Mutex::new(BTreeMap::new());
        let slot = (name.to_owned(), self.as_str());
        if let Some(der) = GENERATED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&slot)
        {
            return Ok(der.clone());
        }
        let der = self.generate_pkcs8()?;
        GENERATED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(slot)
            .or_insert(der.clone());
        Ok(der)
    }
}

/// The size of the RSA keys the sandbox generates.
pub const RSA_BITS: usize = 2048;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// Not three base64url parts, or a header/payload that is not a JSON object, or another
    /// algorithm than the key's.
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

/// A private key the sandbox signs with, and its `kid`. Clones share the key.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    pair: Arc<Pair>,
}

enum Pair {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
    Ed(Ed25519KeyPair),
}

/// A key as the state document keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredKey {
    pub alg: String,
    /// The `kid` its tokens carry; the service's fixed one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    pub pkcs8_b64: String,
    pub created_at: String,
}

impl StoredKey {
    /// The key, with `default_kid` when the stored one has none. Decoding a private key
    /// (an RSA one above all) costs far more than a request, and every signed or verified token
    /// needs one, so each key is decoded once per process and shared.
    pub fn load(&self, default_kid: &str) -> Result<SigningKey, TokenError> {
        type Loaded = BTreeMap<(String, String, String), SigningKey>;
        static LOADED: Mutex<Loaded> = Mutex::new(BTreeMap::new());
        let kid = self.kid.as_deref().unwrap_or(default_kid);
        let id = (self.alg.clone(), self.pkcs8_b64.clone(), kid.to_owned());
        if let Some(key) = LOADED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
        {
            return Ok(key.clone());
        }
        let key = self.decode(kid)?;
        LOADED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, key.clone());
        Ok(key)
    }

    fn decode(&self, kid: &str) -> Result<SigningKey, TokenError> {
        let alg = match self.alg.as_str() {
            "ES256" => Alg::ES256,
            "RS256" => Alg::RS256,
            "EdDSA" => Alg::EdDSA,
            other => {
                return Err(TokenError::Malformed(format!(
                    "unknown key algorithm {other}"
                )));
            }
        };
        let der = STANDARD
            .decode(self.pkcs8_b64.trim())
            .map_err(|_| TokenError::Malformed("signing key is not base64".into()))?;
        SigningKey::from_pkcs8(alg, &der, kid)
    }
}

impl SigningKey {
    /// A fresh ES256 key as base64 PKCS#8, for the state document.
    pub fn generate_pkcs8_b64() -> Result<String, TokenError> {
        Ok(STANDARD.encode(Alg::ES256.generate_pkcs8()?))
    }

    /// An ES256 key from base64 PKCS#8 (its `kid` is given when signing).
    pub fn from_pkcs8_b64(b64: &str) -> Result<SigningKey, TokenError> {
        let der = STANDARD
            .decode(b64.trim())
            .map_err(|_| TokenError::Malformed("signing key is not base64".into()))?;
        SigningKey::from_pkcs8(Alg::ES256, &der, "")
    }

    pub fn from_pkcs8(alg: Alg, der: &[u8], kid: &str) -> Result<SigningKey, TokenError> {
        let bad =
            || TokenError::Malformed(format!("signing key is not an {} PKCS#8 key", alg.as_str()));
        let pair = match alg {
            Alg::ES256 => Pair::Ec(
                EcdsaKeyPair::from_pkcs8(
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    der,
                    &SystemRandom::new(),
                )
                .map_err(|_| bad())?,
            ),
            Alg::RS256 => Pair::Rsa(RsaKeyPair::from_pkcs8(der).map_err(|_| bad())?),
            Alg::EdDSA => {
                Pair::Ed(Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(|_| bad())?)
            }
        };
        Ok(SigningKey {
            kid: kid.to_owned(),
            pair: Arc::new(pair),
        })
    }

    pub fn alg(&self) -> Alg {
        match *self.pair {
            Pair::Ec(_) => Alg::ES256,
            Pair::Rsa(_) => Alg::RS256,
            Pair::Ed(_) => Alg::EdDSA,
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Sign `claims` with header `{"alg":<alg>,"typ":typ,"kid":kid}`.
    pub fn sign(&self, claims: &Value, typ: &str, kid: &str) -> Result<String, TokenError> {
        let header = json!({"alg": self.alg().as_str(), "typ": typ, "kid": kid});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let failed = || TokenError::Malformed("signing failed".into());
        let sig = match &*self.pair {
            Pair::Ec(pair) => pair
                .sign(&SystemRandom::new(), signing_input.as_bytes())
                .map_err(|_| failed())?
                .as_ref()
                .to_vec(),
            Pair::Rsa(pair) => {
                let mut sig = vec![0; pair.public().modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    signing_input.as_bytes(),
                    &mut sig,
                )
                .map_err(|_| failed())?;
                sig
            }
            Pair::Ed(pair) => pair.sign(signing_input.as_bytes()).as_ref().to_vec(),
        };
        Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig)))
    }

    /// Sign with this key's own `kid`.
    pub fn sign_own(&self, claims: &Value, typ: &str) -> Result<String, TokenError> {
        self.sign(claims, typ, &self.kid)
    }

    /// Check the token's structure and signature, not its expiry.
    pub fn verify_signature(&self, token: &str) -> Result<Verified, TokenError> {
        let (header, claims, signing_input, sig) = split(token)?;
        let alg = self.alg().as_str();
        if header.get("alg").and_then(Value::as_str) != Some(alg) {
            return Err(TokenError::Malformed(format!("alg is not {alg}")));
        }
        let checked = match &*self.pair {
            Pair::Ec(pair) => {
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, pair.public_key().as_ref())
                    .verify(signing_input.as_bytes(), &sig)
            }
            Pair::Rsa(pair) => {
                UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public_key().as_ref())
                    .verify(signing_input.as_bytes(), &sig)
            }
            Pair::Ed(pair) => UnparsedPublicKey::new(&ED25519, pair.public_key().as_ref())
                .verify(signing_input.as_bytes(), &sig),
        };
        checked.map_err(|_| TokenError::BadSignature)?;
        Ok(Verified { header, claims })
    }

    /// Check structure, signature and `exp` against `now` (unix seconds).
    pub fn verify(&self, token: &str, now: i64) -> Result<Verified, TokenError> {
        let verified = self.verify_signature(token)?;
        verified.check_exp(now)?;
        Ok(verified)
    }

    /// The public key as one JWK under `kid`.
    pub fn jwk(&self, kid: &str) -> Value {
        match &*self.pair {
            Pair::Ec(pair) => {
                // An uncompressed SEC1 point: 0x04 || x (32 bytes) || y (32 bytes).
                let point = pair.public_key().as_ref();
                let (x, y) = point[1..].split_at(32);
                json!({
                    "kty": "EC",
                    "crv": "P-256",
                    "alg": "ES256",
                    "use": "sig",
                    "kid": kid,
                    "x": URL_SAFE_NO_PAD.encode(x),
                    "y": URL_SAFE_NO_PAD.encode(y),
                })
            }
            Pair::Rsa(pair) => {
                let public: ring::rsa::PublicKeyComponents<Vec<u8>> = pair.public().into();
                let trim = |b: &[u8]| {
                    b.iter()
                        .skip_while(|x| **x == 0)
                        .copied()
                        .collect::<Vec<u8>>()
                };
                json!({
                    "kty": "RSA",
                    "alg": "RS256",
                    "use": "sig",
                    "kid": kid,
                    "n": URL_SAFE_NO_PAD.encode(trim(&public.n)),
                    "e": URL_SAFE_NO_PAD.encode(trim(&public.e)),
                })
            }
            Pair::Ed(pair) => json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "alg": "EdDSA",
                "use": "sig",
                "kid": kid,
                "x": URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()),
            }),
        }
    }

    /// The public key as a JWKS document (`{"keys":[JWK]}`) under `kid`.
    pub fn jwks(&self, kid: &str) -> Value {
        json!({"keys": [self.jwk(kid)]})
    }

    /// An RSA key's public half as a PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`);
    /// `None` for other algorithms.
    pub fn public_key_pem(&self) -> Option<String> {
        let Pair::Rsa(pair) = &*self.pair else {
            return None;
        };
        // SEQUENCE { SEQUENCE { OID rsaEncryption, NULL }, BIT STRING { 0, RSAPublicKey } }
        const ALGORITHM: &[u8] = &[
            0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05,
            0x00,
        ];
        let pkcs1 = pair.public_key().as_ref();
        let mut bits = vec![0u8];
        bits.extend_from_slice(pkcs1);
        let mut inner = ALGORITHM.to_vec();
        inner.extend(der_tlv(0x03, &bits));
        let spki = der_tlv(0x30, &inner);
        let b64 = STANDARD.encode(spki);
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for line in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        Some(pem)
    }
}

/// A DER tag-length-value.
fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
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

    #[test]
    fn rs256_and_eddsa_sign_verify_and_publish() {
        for alg in [Alg::RS256, Alg::EdDSA] {
            let der = alg.generate_pkcs8_for("tokens-test").unwrap();
            let key = SigningKey::from_pkcs8(alg, &der, "k1").unwrap();
            let token = key
                .sign_own(&json!({"sub": "a", "exp": 200}), "JWT")
                .unwrap();
            let v = key.verify(&token, 100).unwrap();
            assert_eq!(v.header["alg"], alg.as_str());
            assert_eq!(v.header["kid"], "k1");
            let jwk = key.jwk("k1");
            assert_eq!(jwk["alg"], alg.as_str());
            // The same name gives the same key in one process; another name another key.
            assert_eq!(alg.generate_pkcs8_for("tokens-test").unwrap(), der);
            let other =
                SigningKey::from_pkcs8(alg, &alg.generate_pkcs8_for("other").unwrap(), "k2")
                    .unwrap();
            assert_eq!(
                other.verify(&token, 100).unwrap_err(),
                TokenError::BadSignature
            );
        }
        let rsa = SigningKey::from_pkcs8(
            Alg::RS256,
            &Alg::RS256.generate_pkcs8_for("tokens-test").unwrap(),
            "k",
        )
        .unwrap();
        let pem = rsa.public_key_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
        use rsa::pkcs8::DecodePublicKey as _;
        let parsed = rsa::RsaPublicKey::from_public_key_pem(&pem).unwrap();
        use rsa::traits::PublicKeyParts as _;
        assert_eq!(
            URL_SAFE_NO_PAD.encode(parsed.n().to_bytes_be()),
            rsa.jwk("k")["n"].as_str().unwrap()
        );
    }
}
