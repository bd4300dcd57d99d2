//! Helpers shared by the tests that run against the loopback servers that
//! `bash .ci/test` starts: their variables, unique names, and Contexts
//! configured for S3 and HDFS.

#![allow(dead_code)] // each test binary uses a different part of this module

use sparkling::Context;
use sparkling::fileio::{FileIoOptions, HdfsOptions, S3Options};

/// A server variable; a missing one fails the test, saying how to start
/// the servers.
pub fn server_var(name: &str) -> String {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => value,
        _ => panic!(
            "{name} is not set: these tests need the loopback servers. Run `bash .ci/test`, \
             or `env_file=$(bash .ci/servers/start.sh)` and `source \"$env_file\"` first"
        ),
    }
}

/// A name no earlier run against the same servers used.
pub fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    format!("{name}-{}-{nanos}", std::process::id())
}

/// A Context for the S3 server.
pub fn s3_context() -> Context {
    let s3 = S3Options::new()
        .with_endpoint(server_var("SPARKLING_TEST_S3_ENDPOINT"))
        .with_allow_http(true)
        .with_region(server_var("SPARKLING_TEST_S3_REGION"))
        .with_credentials(
            server_var("SPARKLING_TEST_S3_ACCESS_KEY"),
            server_var("SPARKLING_TEST_S3_SECRET_KEY"),
        );
    Context::builder()
        .file_io(FileIoOptions::new().with_s3(s3))
        .build()
        .unwrap()
}

/// A Context for the HDFS server, and the `hdfs://` URL of the tests' directory.
pub fn hdfs_context() -> (Context, String) {
    let options = FileIoOptions::new()
        .with_hdfs(HdfsOptions::new().with_user(server_var("SPARKLING_TEST_HDFS_USER")));
    let url = server_var("SPARKLING_TEST_WEBHDFS_URL");
    let authority = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let ctx = Context::builder().file_io(options).build().unwrap();
    (ctx, format!("hdfs://{authority}/tests/engine"))
}
