//! Password-protected Office files: an agile-encrypted `.docx` and an
//! RC4-encrypted Word 97 `.doc`.
//!
//! An encrypted OOXML file is not a zip at all but an OLE compound file
//! (CFB) holding `EncryptionInfo`, `EncryptedPackage` and the `\x06DataSpaces`
//! storages that describe the transform (MS-OFFCRYPTO 2.1, 2.3.4.10). An
//! encrypted `.doc` is an ordinary Word 97 CFB whose FIB has `fEncrypted`
//! set and whose table stream starts with the encryption header (MS-DOC
//! 2.5.2). These are laid out byte for byte as Office writes them, so a
//! sniffer and LibreOffice both see a password-protected document. The
//! ciphertext is deterministic filler: no password opens these files.

use std::io::{Cursor, Write};
use std::time::{Duration, UNIX_EPOCH};

use cfb::{CompoundFile, Version};

use super::must;

const DATA_SPACES: &str = "/\u{6}DataSpaces";
/// Word.Document.8, the CLSID of a Word 97–2003 document's root storage.
const WORD_97_CLSID: uuid::Uuid = uuid::uuid!("00020906-0000-0000-c000-000000000046");

/// A `.docx` as Word saves it with "Encrypt with password": a CFB with
/// agile (version 4.4, AES-256/SHA-512) `EncryptionInfo`, an
/// `EncryptedPackage` and the DataSpaces that name the encryption transform.
pub fn encrypted_docx() -> Vec<u8> {
    let mut file = must(CompoundFile::create_with_version(Version::V3, Cursor::new(Vec::new())), "create cfb");
    for storage in [
        DATA_SPACES.to_string(),
        format!("{DATA_SPACES}/DataSpaceInfo"),
        format!("{DATA_SPACES}/TransformInfo"),
        format!("{DATA_SPACES}/TransformInfo/StrongEncryptionTransform"),
    ] {
        must(file.create_storage(&storage), "create storage");
    }
    let mut filler = Filler(0x5eed_0ff1_ce00_0001);
    let streams: [(String, Vec<u8>); 6] = [
        (format!("{DATA_SPACES}/Version"), data_space_version()),
        (format!("{DATA_SPACES}/DataSpaceMap"), data_space_map()),
        (format!("{DATA_SPACES}/DataSpaceInfo/StrongEncryptionDataSpace"), data_space_definition()),
        (format!("{DATA_SPACES}/TransformInfo/StrongEncryptionTransform/\u{6}Primary"), transform_info()),
        ("/EncryptionInfo".into(), agile_encryption_info(&mut filler)),
        ("/EncryptedPackage".into(), encrypted_package(&mut filler)),
    ];
    for (path, data) in &streams {
        write_stream(&mut file, path, data);
    }
    finish(file)
}

/// A Word 97–2003 `.doc` saved with a password: `WordDocument` whose FIB
/// has `fEncrypted` (and `fWhichTblStm`, so the table is `1Table`), and a
/// `1Table` that starts with an RC4 encryption header (version 1.1: salt,
/// encrypted verifier, encrypted verifier hash).
pub fn encrypted_doc() -> Vec<u8> {
    let mut file = must(CompoundFile::create_with_version(Version::V3, Cursor::new(Vec::new())), "create cfb");
    must(file.set_storage_clsid("/", WORD_97_CLSID), "set clsid");
    let mut filler = Filler(0x0d0c_97e0_0000_0001);

    const STREAM_LEN: usize = 4096;
    let mut fib = fib(STREAM_LEN as u32);
    // Everything after the FIB base is encrypted in a real file.
    while fib.len() < STREAM_LEN {
        fib.push(filler.byte());
    }
    // Version 1.1 (RC4), then salt, verifier, verifier hash and encrypted text.
    let mut table = vec![1, 0, 1, 0];
    table.extend(filler.bytes(4092));

    write_stream(&mut file, "/WordDocument", &fib);
    write_stream(&mut file, "/1Table", &table);
    finish(file)
}

/// The Word 97 FIB (MS-DOC 2.5.1): FibBase, then the fixed-size arrays of
/// an nFib 0x00C1 (Word 97) file, left zero except `cbMac`.
fn fib(stream_len: u32) -> Vec<u8> {
    // fEncrypted | fWhichTblStm | fExtChar
    const FLAGS: u16 = 0x0100 | 0x0200 | 0x1000;
    // The RC4 encryption header's size: version (4) + salt, verifier and hash (16 each).
    const KEY_LEN: u32 = 52;
    let mut fib = Vec::with_capacity(900);
    for word in [0xA5EC_u16, 0x00C1, 0, 0x0409, 0, FLAGS, 0x00BF] {
        fib.extend_from_slice(&word.to_le_bytes());
    }
    fib.extend_from_slice(&KEY_LEN.to_le_bytes());
    fib.extend_from_slice(&[0; 14]); // envr, flags, reserved3..6
    fib.extend_from_slice(&14u16.to_le_bytes()); // csw
    fib.extend_from_slice(&[0; 28]); // fibRgW
    fib.extend_from_slice(&22u16.to_le_bytes()); // cslw
    fib.extend_from_slice(&stream_len.to_le_bytes()); // fibRgLw.cbMac
    fib.extend_from_slice(&[0; 84]);
    fib.extend_from_slice(&0x005Du16.to_le_bytes()); // cbRgFcLcb
    fib.extend_from_slice(&[0; 0x5D * 8]); // fibRgFcLcbBlob
    fib.extend_from_slice(&0u16.to_le_bytes()); // cswNew
    fib
}

/// `EncryptionInfo` for agile encryption: version 4.4, reserved 0x40, then
/// the XML descriptor with the key sizes and algorithms Word uses.
fn agile_encryption_info(filler: &mut Filler) -> Vec<u8> {
    let mut b64 = |len: usize| base64(&filler.bytes(len));
    let (key_salt, hmac_key, hmac_value) = (b64(16), b64(64), b64(64));
    let (password_salt, verifier_input, verifier_hash, key_value) = (b64(16), b64(16), b64(64), b64(32));
    let algorithms = "saltSize=\"16\" blockSize=\"16\" keyBits=\"256\" hashSize=\"64\" cipherAlgorithm=\"AES\" \
                      cipherChaining=\"ChainingModeCBC\" hashAlgorithm=\"SHA512\"";
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n\
         <encryption xmlns=\"http://schemas.microsoft.com/office/2006/encryption\" \
         xmlns:p=\"http://schemas.microsoft.com/office/2006/keyEncryptor/password\" \
         xmlns:c=\"http://schemas.microsoft.com/office/2006/keyEncryptor/certificate\">\
         <keyData {algorithms} saltValue=\"{key_salt}\"/>\
         <dataIntegrity encryptedHmacKey=\"{hmac_key}\" encryptedHmacValue=\"{hmac_value}\"/>\
         <keyEncryptors><keyEncryptor uri=\"http://schemas.microsoft.com/office/2006/keyEncryptor/password\">\
         <p:encryptedKey spinCount=\"100000\" {algorithms} saltValue=\"{password_salt}\" \
         encryptedVerifierHashInput=\"{verifier_input}\" encryptedVerifierHashValue=\"{verifier_hash}\" \
         encryptedKeyValue=\"{key_value}\"/></keyEncryptor></keyEncryptors></encryption>"
    );
    let mut info = vec![4, 0, 4, 0, 0x40, 0, 0, 0];
    info.extend_from_slice(xml.as_bytes());
    info
}

/// `EncryptedPackage`: the plaintext size (8 bytes), then ciphertext
/// padded to the AES block size.
fn encrypted_package(filler: &mut Filler) -> Vec<u8> {
    const PLAIN_LEN: u64 = 6_000;
    let mut package = PLAIN_LEN.to_le_bytes().to_vec();
    package.extend(filler.bytes(PLAIN_LEN.div_ceil(16) as usize * 16));
    package
}

/// `\x06DataSpaces/Version` (MS-OFFCRYPTO 2.1.5).
fn data_space_version() -> Vec<u8> {
    let mut out = unicode_lp_p4("Microsoft.Container.DataSpaces");
    for version in [1u16, 0, 1, 0, 1, 0] {
        out.extend_from_slice(&version.to_le_bytes());
    }
    out
}

/// `\x06DataSpaces/DataSpaceMap` (2.1.6): `EncryptedPackage` is in the
/// `StrongEncryptionDataSpace`.
fn data_space_map() -> Vec<u8> {
    let mut entry = Vec::new();
    entry.extend_from_slice(&1u32.to_le_bytes()); // reference component count
    entry.extend_from_slice(&0u32.to_le_bytes()); // component type: stream
    entry.extend(unicode_lp_p4("EncryptedPackage"));
    entry.extend(unicode_lp_p4("StrongEncryptionDataSpace"));
    let mut out = Vec::new();
    out.extend_from_slice(&8u32.to_le_bytes()); // header length
    out.extend_from_slice(&1u32.to_le_bytes()); // entry count
    out.extend_from_slice(&(entry.len() as u32 + 4).to_le_bytes());
    out.extend(entry);
    out
}

/// `\x06DataSpaces/DataSpaceInfo/StrongEncryptionDataSpace` (2.1.7).
fn data_space_definition() -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&8u32.to_le_bytes()); // header length
    out.extend_from_slice(&1u32.to_le_bytes()); // transform reference count
    out.extend(unicode_lp_p4("StrongEncryptionTransform"));
    out
}

/// `\x06DataSpaces/TransformInfo/StrongEncryptionTransform/\x06Primary`
/// (2.1.8 TransformInfoHeader + 2.1.9 EncryptionTransformInfo).
fn transform_info() -> Vec<u8> {
    let id = unicode_lp_p4("{FF9A3F03-56EF-4613-BDD5-5A41C1D07246}");
    let mut out = Vec::new();
    out.extend_from_slice(&(8 + id.len() as u32).to_le_bytes()); // transform length
    out.extend_from_slice(&1u32.to_le_bytes()); // transform type
    out.extend(id);
    out.extend(unicode_lp_p4("Microsoft.Container.EncryptionTransform"));
    for version in [1u16, 0, 1, 0, 1, 0] {
        out.extend_from_slice(&version.to_le_bytes());
    }
    // Encryption name (empty), block size, cipher mode, reserved (4).
    for field in [0u32, 0, 0, 4] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out
}

/// A UNICODE-LP-P4: byte length, UTF-16LE characters, zero padding to 4 bytes.
fn unicode_lp_p4(text: &str) -> Vec<u8> {
    let chars: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut out = (chars.len() as u32).to_le_bytes().to_vec();
    out.extend(&chars);
    out.resize(out.len().next_multiple_of(4), 0);
    out
}

fn write_stream(file: &mut CompoundFile<Cursor<Vec<u8>>>, path: &str, data: &[u8]) {
    let mut stream = must(file.create_stream(path), "create stream");
    must(stream.write_all(data), "write stream");
}

/// Pins every storage's timestamps to zero (cfb stamps new storages with
/// the current time) and returns the bytes.
fn finish(mut file: CompoundFile<Cursor<Vec<u8>>>) -> Vec<u8> {
    let filetime_epoch = UNIX_EPOCH.checked_sub(Duration::from_secs(11_644_473_600)).unwrap_or(UNIX_EPOCH);
    let storages: Vec<_> =
        file.walk().filter(|entry| entry.is_storage()).map(|entry| entry.path().to_owned()).collect();
    for path in storages {
        must(file.set_created_time(&path, filetime_epoch), "set created time");
        must(file.set_modified_time(&path, filetime_epoch), "set modified time");
    }
    must(file.flush(), "flush cfb");
    file.into_inner().into_inner()
}

/// Deterministic bytes that look random (xorshift64), standing in for
/// salts and ciphertext.
struct Filler(u64);

impl Filler {
    fn byte(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 24) as u8
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.byte()).collect()
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let n = group.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn data_space_structures_have_office_sizes() {
        // Sizes as found in files Word writes.
        assert_eq!(data_space_map().len(), 8 + 0x68);
        assert_eq!(&transform_info()[..4], &0x58u32.to_le_bytes());
        assert_eq!(data_space_version().len(), 76);
    }

    #[test]
    fn fib_is_the_word_97_size() {
        let fib = fib(4096);
        assert_eq!(fib.len(), 898 + 2);
        assert_eq!(u16::from_le_bytes([fib[0x0A], fib[0x0B]]) & 0x0100, 0x0100);
        assert_eq!(u32::from_le_bytes([fib[0x0E], fib[0x0F], fib[0x10], fib[0x11]]), 52);
        assert_eq!(u16::from_le_bytes([fib[0x20], fib[0x21]]), 14);
        assert_eq!(u16::from_le_bytes([fib[0x3E], fib[0x3F]]), 22);
        assert_eq!(u16::from_le_bytes([fib[0x98], fib[0x99]]), 0x5D);
    }
}
