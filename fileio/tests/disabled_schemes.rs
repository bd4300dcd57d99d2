//! A build without a scheme's cargo feature refuses its locations with
//! [`Error::FeatureDisabled`], naming the location and the feature, from
//! every entry point: expanding an expression, asking for the filesystem,
//! reading a file whole. The lean build (`--no-default-features`) runs all
//! of these; a build with a scheme's feature runs none of that scheme's.
#![cfg(not(all(feature = "http", feature = "s3", feature = "hdfs")))]

use sparkling_fileio::{Error, Location, Utf8Mode, expand, filesystem_for, read_text};

/// Every entry point refuses `url` naming `feature`.
fn refused(url: &str, feature: &str) {
    let location = Location::parse(url).unwrap();
    let errors = [
        expand(url).map(drop).unwrap_err(),
        filesystem_for(&location).map(drop).unwrap_err(),
        read_text(&location, Utf8Mode::Strict)
            .map(drop)
            .unwrap_err(),
    ];
    for err in errors {
        match &err {
            Error::FeatureDisabled {
                feature: named,
                location,
                ..
            } => {
                assert_eq!(*named, feature);
                assert!(
                    url.starts_with(location.trim_end_matches('/')),
                    "{location}"
                );
            }
            other => panic!("{url}: expected FeatureDisabled, got {other:?}"),
        }
        let message = err.to_string();
        assert!(
            message.contains(&format!("`{feature}` cargo feature")),
            "{message}"
        );
    }
}

#[cfg(not(feature = "http"))]
#[test]
fn http_and_https_need_the_http_feature() {
    refused("http://127.0.0.1:9/data/a.txt", "http");
    refused("https://example.invalid/logs/*.gz", "http");
}

#[cfg(not(feature = "s3"))]
#[test]
fn every_s3_scheme_needs_the_s3_feature() {
    refused("s3://bucket/logs/a.txt", "s3");
    refused("s3a://bucket/logs/*.gz", "s3");
    refused("s3n://bucket/k", "s3");
}

#[cfg(not(feature = "hdfs"))]
#[test]
fn hdfs_and_webhdfs_need_the_hdfs_feature() {
    refused("hdfs://127.0.0.1:9870/user/a.txt", "hdfs");
    refused("webhdfs://127.0.0.1:9870/user/*.txt", "hdfs");
}

#[cfg(not(feature = "http"))]
#[test]
fn a_password_in_a_refused_url_is_not_shown() {
    let err = expand("http://reader:pa55word@127.0.0.1:9/a.txt").unwrap_err();
    assert!(matches!(err, Error::FeatureDisabled { .. }), "{err:?}");
    assert!(!err.to_string().contains("pa55word"), "{err}");
    assert!(!format!("{err:?}").contains("pa55word"), "{err:?}");
}
