# Shared by install.sh and start.sh (sourced, not run).
# shellcheck shell=bash disable=SC2034 # the variables are used by the scripts that source this

CACHE="${SPARKLING_CI_CACHE:-$HOME/.cache/sparkling-ci}"

APT_PACKAGES=(nginx-light libjersey1-core-java libjersey1-server-java libjersey1-servlet-java graphviz tmux)

S3S_VERSION=0.14.1
S3S_BIN="$CACHE/bin/s3s-fs"

PYSPARK_VERSION=2.4.8
HADOOP_JARS="$CACHE/hadoop-2.7.3/jars"
# The Hadoop 2.7.3 NameNode + DataNode classpath, from pyspark-2.4.8/deps/jars.
HADOOP_JAR_NAMES=(
    activation-1.1.1 apache-log4j-extras-1.2.17 commons-cli-1.2 commons-codec-1.10
    commons-collections-3.2.2 commons-configuration-1.6 commons-io-2.4 commons-lang-2.6
    commons-logging-1.1.3 guava-14.0.1 hadoop-annotations-2.7.3 hadoop-auth-2.7.3
    hadoop-common-2.7.3 hadoop-hdfs-2.7.3 hadoop-mapreduce-client-core-2.7.3
    htrace-core-3.1.0-incubating httpclient-4.5.6 httpcore-4.4.10 jackson-core-asl-1.9.13
    jackson-mapper-asl-1.9.13 javax.annotation-api-1.2 javax.servlet-api-3.1.0
    jaxb-api-2.2.2 jcl-over-slf4j-1.7.16 jetty-6.1.26 jetty-util-6.1.26 log4j-1.2.17
    netty-all-4.1.47.Final osgi-resource-locator-1.0.1 protobuf-java-2.5.0
    slf4j-api-1.7.16 slf4j-log4j12-1.7.16 xercesImpl-2.9.1 xmlenc-0.52
)
# From Debian's libjersey1-*-java (and libjsr311-api-java, a dependency).
JERSEY_JARS=(
    /usr/share/java/jersey1-core.jar /usr/share/java/jersey1-server.jar
    /usr/share/java/jersey1-servlet.jar /usr/share/java/jsr311-api.jar
)

log() { printf '[ci/servers] %s\n' "$*" >&2; }
die() {
    printf '[ci/servers] ERROR: %s\n' "$*" >&2
    exit 1
}
now() { date +%s.%N; }
since() { python3 -c 'import sys,time; print(f"{time.time()-float(sys.argv[1]):.1f} s")' "$1"; }
