# Sourced by bin/ scripts that download from Maven Central.
#
#   central_fetch GROUP_PATH ARTIFACT_ID VERSION FILE TARGET
#
# downloads GROUP_PATH/ARTIFACT_ID/VERSION/FILE (GROUP_PATH such as io/trino) to TARGET, verified against Central's
# .sha1 file. A TARGET already there with the right checksum (from an interrupted run) is not downloaded again.
# The caller defines die MESSAGE and log MESSAGE.
CENTRAL_REPOSITORY="${WARDEN_MAVEN_REPOSITORY:-https://repo1.maven.org/maven2}"

central_fetch() {
    local group_path="$1" artifact="$2" version="$3" file="$4" target="$5"
    local url="$CENTRAL_REPOSITORY/$group_path/$artifact/$version/$file"
    local expected actual tool
    for tool in curl sha1sum; do
        command -v "$tool" >/dev/null || die "'$tool' is needed (apt-get install -y $tool)"
    done
    expected="$(curl -fsSL --retry 3 "$url.sha1" | awk '{print $1}')" \
        || die "cannot read $url.sha1 (is Maven Central reachable?)"
    [[ "$expected" =~ ^[0-9a-f]{40}$ ]] || die "unexpected checksum file at $url.sha1: '$expected'"
    if [[ -f "$target" ]] && [[ "$(sha1sum "$target" | awk '{print $1}')" == "$expected" ]]; then
        log "$file already downloaded"
        return 0
    fi
    log "downloading $url"
    rm -f "$target" "$target.part"
    local progress=(-sS)
    [[ -t 2 ]] && progress=(--progress-bar)
    curl -fL --retry 3 --retry-delay 2 "${progress[@]}" -o "$target.part" "$url" \
        || die "download failed: $url"
    actual="$(sha1sum "$target.part" | awk '{print $1}')"
    if [[ "$actual" != "$expected" ]]; then
        rm -f "$target.part"
        die "sha1 mismatch for $file: expected $expected, got $actual"
    fi
    mv "$target.part" "$target"
}
