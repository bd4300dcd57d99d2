//! `sparkling-fileio`: reading and writing text and bytes from local paths,
//! gzip and bz2, HTTP(S), S3 and HDFS, with globs and comma-separated lists.
//!
//! The URL scheme picks the filesystem; the file extension picks the codec.
