# Sourced by bin/ scripts: builds what they run when it is missing or older than its sources. Needs $root.
#
#   build_if_stale TARGET MODULE...
#
# runs ./mvnw package (without tests) for the last MODULE and what it needs when TARGET is missing, or when the root
# pom or a pom or main source of one of the MODULEs is newer than TARGET.
build_if_stale() {
    local target="$1"
    shift
    local sources=("$root/pom.xml") module
    for module in "$@"; do
        sources+=("$root/$module/pom.xml" "$root/$module/src/main")
    done
    if [[ -e "$target" ]] && [[ -z "$(find "${sources[@]}" -type f -newer "$target" 2>/dev/null | head -n 1)" ]]; then
        return 0
    fi
    echo "building ${!#} (./mvnw package -pl ${!#} -am -DskipTests) ..." >&2
    (cd "$root" && ./mvnw -q -B package -DskipTests -pl "${!#}" -am) >&2
}
