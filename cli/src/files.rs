//! Reading files a user hands the CLI (lab reports, FHIR files, bundles, pushed messages)
//! with a size limit enforced while reading: a huge file or an endless stream
//! (`/dev/urandom`) is refused after `max` bytes instead of filling memory.

use std::io::Read;
use std::path::Path;

use crate::Failure;

/// The bytes of `path`, refusing more than `max` of them.
pub fn read_bytes(path: &Path, max: usize) -> Result<Vec<u8>, Failure> {
    let cannot =
        |error: std::io::Error| Failure::Cli(format!("cannot read {}: {error}", path.display()));
    let too_large = || {
        Failure::Cli(format!(
            "{} is larger than {} bytes, the most this command reads",
            path.display(),
            max
        ))
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    // A regular file says its size up front; a pipe or device is only known by reading.
    if file.metadata().map_err(cannot)?.len() > max as u64 {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > max {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The UTF-8 text of `path`, refusing more than `max` bytes.
pub fn read_text(path: &Path, max: usize) -> Result<String, Failure> {
    String::from_utf8(read_bytes(path, max)?)
        .map_err(|_| Failure::Cli(format!("{} is not UTF-8 text", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_stream_is_cut_off_at_the_limit() {
        let refused = read_bytes(Path::new("/dev/zero"), 1024);
        assert!(
            matches!(refused, Err(Failure::Cli(reason)) if reason.contains("larger than 1024"))
        );
    }

    #[test]
    fn a_file_within_the_limit_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"hello").unwrap();
        assert!(matches!(read_bytes(&path, 5), Ok(bytes) if bytes == b"hello"));
        assert!(read_bytes(&path, 4).is_err());
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(read_text(&path, 5).is_err());
    }
}
