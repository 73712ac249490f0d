//! RSA key generation for the sandbox's RS256 keys. ring signs with RSA keys but cannot make
//! them, so this module finds the primes and writes the PKCS#8 document ring loads.
//!
//! The method is the textbook one: each prime is a random odd number of half the modulus's
//! size with its two top bits set (so the product has exactly the requested size), sieved by
//! the small primes, with `p - 1` coprime to `e`, then Miller-Rabin with [`MR_ROUNDS`] random
//! bases (a composite passes with a chance under 4^-rounds). `e` is 65537 and
//! `d = e^-1 mod lcm(p - 1, q - 1)`, kept only when it is larger than `2^(bits/2)`. ring checks
//! every component again when it loads the key (`p·q = n`, the CRT values, the size of `d`),
//! so a mistake here shows as a refused key, never as a key that signs wrongly.
//!
//! Randomness is ring's system generator. The arithmetic is `num-bigint`'s, which is not
//! constant-time: fine for an emulator's demo keys, which sit in its state file anyway.

use num_bigint::BigUint;
use num_integer::Integer as _;
use num_traits::{One as _, Zero as _};
use ring::rand::{SecureRandom, SystemRandom};

/// The public exponent.
const E: u32 = 65537;

/// Miller-Rabin rounds per prime.
pub const MR_ROUNDS: usize = 20;

/// The odd primes below 1000: a candidate divisible by one is dropped before Miller-Rabin.
const SMALL_PRIMES: [u32; 167] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193,
    197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281, 283, 293, 307,
    311, 313, 317, 331, 337, 347, 349, 353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419, 421,
    431, 433, 439, 443, 449, 457, 461, 463, 467, 479, 487, 491, 499, 503, 509, 521, 523, 541, 547,
    557, 563, 569, 571, 577, 587, 593, 599, 601, 607, 613, 617, 619, 631, 641, 643, 647, 653, 659,
    661, 673, 677, 683, 691, 701, 709, 719, 727, 733, 739, 743, 751, 757, 761, 769, 773, 787, 797,
    809, 811, 821, 823, 827, 829, 839, 853, 857, 859, 863, 877, 881, 883, 887, 907, 911, 919, 929,
    937, 941, 947, 953, 967, 971, 977, 983, 991, 997,
];

/// The DER of the rsaEncryption `AlgorithmIdentifier` (OID 1.2.840.113549.1.1.1, NULL).
const RSA_ENCRYPTION: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

/// Why no key was made: the system's random generator failed.
#[derive(Debug)]
pub struct RandomFailed;

/// A fresh RSA private key with a `bits`-bit modulus (a multiple of 16), PKCS#8 DER.
pub fn generate_pkcs8(bits: usize) -> Result<Vec<u8>, RandomFailed> {
    let rng = SystemRandom::new();
    let e = BigUint::from(E);
    loop {
        let a = prime(bits / 2, &rng)?;
        let b = prime(bits / 2, &rng)?;
        // By convention (and as ring expects) p is the larger prime.
        let (p, q) = match a.cmp(&b) {
            std::cmp::Ordering::Greater => (a, b),
            std::cmp::Ordering::Less => (b, a),
            std::cmp::Ordering::Equal => continue,
        };
        let (p1, q1) = (&p - 1u32, &q - 1u32);
        let Some(d) = e.modinv(&p1.lcm(&q1)) else {
            continue;
        };
        if d.bits() <= (bits / 2) as u64 {
            continue;
        }
        let Some(q_inv) = q.modinv(&p) else {
            continue;
        };
        let (dp, dq) = (&d % &p1, &d % &q1);
        let n = &p * &q;
        let private_key = der_sequence(
            &[&BigUint::zero(), &n, &e, &d, &p, &q, &dp, &dq, &q_inv]
                .iter()
                .flat_map(|v| der_integer(v))
                .collect::<Vec<u8>>(),
        );
        let mut info = der_integer(&BigUint::zero());
        info.extend_from_slice(RSA_ENCRYPTION);
        info.extend(der_tlv(0x04, &private_key));
        return Ok(der_sequence(&info));
    }
}

/// A random probable prime of exactly `bits` bits (a multiple of 8) with its top two bits set
/// and `p - 1` coprime to [`E`].
fn prime(bits: usize, rng: &SystemRandom) -> Result<BigUint, RandomFailed> {
    let mut bytes = vec![0u8; bits / 8];
    loop {
        rng.fill(&mut bytes).map_err(|_| RandomFailed)?;
        bytes[0] |= 0xc0;
        bytes[bits / 8 - 1] |= 1;
        let candidate = BigUint::from_bytes_be(&bytes);
        if SMALL_PRIMES
            .iter()
            .any(|&small| (&candidate % small).is_zero())
        {
            continue;
        }
        // e is prime, so gcd(e, p - 1) = 1 unless e divides p - 1.
        if ((&candidate - 1u32) % E).is_zero() {
            continue;
        }
        if probably_prime(&candidate, rng)? {
            return Ok(candidate);
        }
    }
}

/// Miller-Rabin with [`MR_ROUNDS`] random bases in `[2, n - 2]`; `n` is odd and above 3.
fn probably_prime(n: &BigUint, rng: &SystemRandom) -> Result<bool, RandomFailed> {
    let n_minus_1 = n - 1u32;
    let Some(s) = n_minus_1.trailing_zeros() else {
        return Ok(false);
    };
    let d = &n_minus_1 >> s;
    let span = n - 3u32;
    let mut bytes = vec![0u8; n.to_bytes_be().len()];
    for _ in 0..MR_ROUNDS {
        rng.fill(&mut bytes).map_err(|_| RandomFailed)?;
        let base = BigUint::from_bytes_be(&bytes) % &span + 2u32;
        let mut x = base.modpow(&d, n);
        if x.is_one() || x == n_minus_1 {
            continue;
        }
        let mut witness = true;
        for _ in 1..s {
            x = &x * &x % n;
            if x == n_minus_1 {
                witness = false;
                break;
            }
        }
        if witness {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A DER INTEGER of a non-negative value: minimal big-endian bytes, a leading zero when the
/// top bit is set (it would read as negative).
fn der_integer(value: &BigUint) -> Vec<u8> {
    let mut bytes = value.to_bytes_be();
    if bytes[0] & 0x80 != 0 {
        bytes.insert(0, 0);
    }
    der_tlv(0x02, &bytes)
}

fn der_sequence(content: &[u8]) -> Vec<u8> {
    der_tlv(0x30, content)
}

/// Tag, definite length (short form below 128, else long form), content.
fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let len_bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | len_bytes.len() as u8);
        out.extend(len_bytes);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_integers_are_minimal_and_never_negative() {
        assert_eq!(der_integer(&BigUint::zero()), [0x02, 0x01, 0x00]);
        assert_eq!(der_integer(&BigUint::from(0x7fu32)), [0x02, 0x01, 0x7f]);
        assert_eq!(
            der_integer(&BigUint::from(0x80u32)),
            [0x02, 0x02, 0x00, 0x80]
        );
        assert_eq!(
            der_integer(&BigUint::from(E)),
            [0x02, 0x03, 0x01, 0x00, 0x01]
        );
    }

    #[test]
    fn der_lengths_take_the_long_form_from_128() {
        assert_eq!(der_tlv(0x04, &[7; 127])[..2], [0x04, 0x7f]);
        assert_eq!(der_tlv(0x04, &[7; 128])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(der_tlv(0x04, &[7; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn miller_rabin_tells_primes_from_composites() {
        let rng = SystemRandom::new();
        // 2^127 - 1 and 2^89 - 1 are Mersenne primes; 561 and 41041 are Carmichael numbers,
        // which fool the Fermat test but not Miller-Rabin.
        let m127 = (BigUint::one() << 127u32) - 1u32;
        let m89 = (BigUint::one() << 89u32) - 1u32;
        assert!(probably_prime(&m127, &rng).unwrap());
        assert!(probably_prime(&m89, &rng).unwrap());
        for composite in [&m127 * &m89, BigUint::from(561u32), BigUint::from(41041u32)] {
            assert!(!probably_prime(&composite, &rng).unwrap(), "{composite}");
        }
    }

    #[test]
    fn a_generated_key_is_valid_for_an_independent_implementation_and_fresh_each_time() {
        use rsa::pkcs8::DecodePrivateKey as _;
        use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
        let der = generate_pkcs8(2048).unwrap();
        // The `rsa` crate (a dev-dependency only) checks n = p·q, e·d ≡ 1 and the CRT values.
        let key = rsa::RsaPrivateKey::from_pkcs8_der(&der).unwrap();
        key.validate().unwrap();
        assert_eq!(key.n().bits(), 2048);
        assert_eq!(key.e().to_bytes_be(), [0x01, 0x00, 0x01]);
        let primes = key.primes();
        assert_eq!(primes.len(), 2);
        assert!(primes[0] > primes[1]);
        assert!(key.d().bits() > 1024);
        // ring loads it (it checks the components itself) and signs with it.
        let pair = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
        assert_eq!(pair.public().modulus_len(), 256);
        assert_ne!(generate_pkcs8(2048).unwrap(), der);
    }
}
