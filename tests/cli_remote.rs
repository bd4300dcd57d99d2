//! The `sparkling` command on HTTP, S3 and HDFS, against the real
//! loopback servers: the same counts, matches and lines as the model of
//! the fixture. A missing server variable fails the test, saying how to
//! start the servers.

mod cli_support;
mod remote_support;

use cli_support::{fixture_text, gzip, model_lines, sparkling_with_env};
use remote_support::{server_var, unique};

fn blue_lines() -> usize {
    let lines = model_lines(&fixture_text());
    lines.iter().filter(|line| line.contains("blue")).count()
}

#[test]
fn http_files_are_counted_grepped_and_headed_plain_and_gzip() {
    let dir = unique("cli-http");
    let root = std::path::PathBuf::from(server_var("SPARKLING_TEST_HTTP_ROOT")).join(&dir);
    std::fs::create_dir_all(&root).unwrap();
    let text = fixture_text();
    std::fs::write(root.join("data.txt"), &text).unwrap();
    std::fs::write(root.join("data.txt.gz"), gzip(text.as_bytes())).unwrap();
    let lines = model_lines(&text);
    for name in ["data.txt", "data.txt.gz"] {
        let url = format!("{}/{dir}/{name}", server_var("SPARKLING_TEST_HTTP_URL"));
        let counted = sparkling_with_env(&["count", "--json", "-p", "3", &url], &[]).json();
        assert_eq!(counted[0]["lines"], lines.len());
        let matches = sparkling_with_env(&["grep", "-c", "--json", "-p", "3", "blue", &url], &[]);
        assert_eq!(matches.json()[0]["matches"], blue_lines());
        let head = sparkling_with_env(&["head", "--json", "-n", "3", &url], &[]).json();
        assert_eq!(head, serde_json::Value::from(&lines[..3]));
    }
    let missing = format!(
        "{}/{dir}/nothing.txt",
        server_var("SPARKLING_TEST_HTTP_URL")
    );
    let run = sparkling_with_env(&["count", &missing], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains(&missing), "{}", run.stderr);
}

#[test]
fn s3_objects_are_written_by_convert_and_read_back() {
    let endpoint = server_var("SPARKLING_TEST_S3_ENDPOINT");
    let access_key = server_var("SPARKLING_TEST_S3_ACCESS_KEY");
    let secret_key = server_var("SPARKLING_TEST_S3_SECRET_KEY");
    let region = server_var("SPARKLING_TEST_S3_REGION");
    let env = [
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", access_key.as_str()),
        ("AWS_SECRET_ACCESS_KEY", secret_key.as_str()),
        ("AWS_REGION", region.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("data.txt");
    std::fs::write(&local, fixture_text()).unwrap();
    let url = format!(
        "s3://{}/{}",
        server_var("SPARKLING_TEST_S3_BUCKET"),
        unique("cli")
    );
    let local = local.to_str().unwrap();
    let written = sparkling_with_env(
        &[
            "convert", "--json", local, &url, "--codec", "bz2", "--parts", "2",
        ],
        &env,
    );
    assert_eq!(written.json().as_array().unwrap().len(), 2);
    let counted = sparkling_with_env(&["count", "-l", "--json", &url], &env).json();
    let lines = model_lines(&fixture_text());
    assert_eq!(counted[2]["lines"], lines.len(), "{counted}");
    let freq = sparkling_with_env(
        &["freq", "--json", "-f", "2", "-d", ",", "-n", "1", &url],
        &env,
    );
    assert_eq!(freq.json()["top"][0]["value"], "blue");
    let denied = sparkling_with_env(&["count", &url], &env[..1]);
    assert_eq!(denied.code, 1, "{}", denied.stdout);
    assert!(denied.stderr.contains(&url), "{}", denied.stderr);
}

#[test]
fn hdfs_files_are_written_by_convert_and_read_back() {
    let webhdfs = server_var("SPARKLING_TEST_WEBHDFS_URL");
    let user = server_var("SPARKLING_TEST_HDFS_USER");
    let env = [("HADOOP_USER_NAME", user.as_str())];
    let authority = webhdfs.trim_start_matches("http://").trim_end_matches('/');
    let url = format!("hdfs://{authority}/tests/{}", unique("cli"));
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("data.txt.gz");
    std::fs::write(&local, gzip(fixture_text().as_bytes())).unwrap();
    let local = local.to_str().unwrap();
    sparkling_with_env(&["convert", local, &url, "--parts", "3"], &env).ok();
    let lines = model_lines(&fixture_text());
    let counted = sparkling_with_env(&["count", "--json", &url], &env).json();
    assert_eq!(counted[3]["lines"], lines.len(), "{counted}");
    let matches = sparkling_with_env(&["grep", "-c", "--json", "blue", &url], &env).json();
    assert_eq!(matches[3]["matches"], blue_lines());
    let missing = format!("{url}/no-such-part");
    let run = sparkling_with_env(&["head", &missing], &env);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no-such-part"), "{}", run.stderr);
}
