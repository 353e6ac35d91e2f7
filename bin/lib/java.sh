# Sourced by bin/ scripts: points JAVA_HOME at a JDK that can build and run Warden (24 or newer).
java_major_version() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

select_java_home() {
    local candidate
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-24-jdk-amd64; do
        if [[ -n "$candidate" && -x "$candidate/bin/java" ]] && (( $(java_major_version "$candidate") >= 24 )); then
            export JAVA_HOME="$candidate"
            return 0
        fi
    done
    echo "error: Warden needs a JDK 24 or newer (Trino 476 runs on Java 24+)." >&2
    echo "       Install Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64, or set JAVA_HOME to a JDK 24+." >&2
    return 1
}

select_java_home
