#!/usr/bin/env bash
# Builds and runs Linja's libFuzzer harnesses. See fuzz/README.md.
#
#   fuzz/run.sh [HARNESS|all] [SECONDS]     (default: all, 60 seconds each)
#
# HARNESS is check, parser_mutations, compile, csv, indicators or goals. Each one is built
# into fuzz/.out/ (git-ignored) with swiftc directly, never through SwiftPM,
# run for SECONDS on fuzz/corpus/HARNESS (plus seeds made fresh from rules/
# and Tests/), and its corpus is then minimised (-merge=1 into a fresh
# folder) and put back in fuzz/corpus/HARNESS.
#
# Environment:
#   FUZZ_SANITIZERS  swiftc -sanitize= list (default: fuzzer,address).
#                    "fuzzer" alone runs several times faster on the
#                    pure-Swift front end; the merge step always replays the
#                    corpus under the address-sanitizer build.
#   FUZZ_KEEP_GOING  1: after a crash (saved in artifacts/), start libFuzzer
#                    again until SECONDS are spent. Default: stop at the
#                    first crash.
#   FUZZ_NO_MERGE    1: skip minimising the corpus.
#   FUZZ_ARGS        more libFuzzer options (e.g. "-seed=1").
#   FUZZ_OUT         build and work folder (default: fuzz/.out).
#
# Crashes, hangs and other failed properties are saved as
# fuzz/.out/artifacts/HARNESS/crash-* (timeout-*, oom-*); the script exits 1
# when a run leaves any. Re-run one input: fuzz/.out/bin/HARNESS-fuzzer FILE
# (with LINJA_FUZZ_VERBOSE=1 to see what the harness did with it).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
out="${FUZZ_OUT:-$here/.out}"
sanitizers="${FUZZ_SANITIZERS:-fuzzer,address}"
harnesses=(check parser_mutations compile csv indicators goals)
which="${1:-all}"
seconds="${2:-60}"

if [[ -x /opt/swift/usr/bin/swiftc ]]; then export PATH="/opt/swift/usr/bin:$PATH"; fi
# The harnesses find rules/ through LINJA_ROOT. The Swift runtime's own
# crash backtracer would hold a crashing process up (libFuzzer prints the
# stack itself), so it is turned off.
export LINJA_ROOT="$repo"
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"

log() { printf '%s\n' "$*" >&2; }

max_len() {
    case "$1" in
        check) echo 4096 ;;             # a few declarations; keeps ~1000 exec/s
        parser_mutations) echo 32768 ;; # the largest file under rules/ is ~29 kB
        compile) echo 65536 ;;          # room for long chains of lets and many rules (issue 17, items 2, 4, 8)
        csv|indicators) echo 4096 ;;    # a header and a few dozen rows
        goals) echo 16384 ;;            # every target of rules/pohjois-karjala, several times over
    esac
}

dict() {
    case "$1" in
        check|parser_mutations|compile) echo "$here/dict/linja.dict" ;;
        csv|indicators|goals) echo "$here/dict/data.dict" ;;
    esac
}

# MARK: Building

# The library's layers, in the order they are built (each may import the
# ones before it; docs/architecture.md), and LinjaTools for the formatter and
# the goal reports.
modules=(LinjaBase LinjaSyntax LinjaModel LinjaSemantics LinjaReference LinjaRuntime LinjaData LinjaGoals LinjaDisclosure Linja LinjaTools)

# A layer added to the package and not to the list above would fail the
# build with "no such module" only after minutes of compiling: say so first.
for d in "$repo"/Sources/Linja*/; do
    d="$(basename "$d")"
    [[ "$d" == LinjaDevTools ]] && continue
    [[ " ${modules[*]} " == *" $d "* ]] || { log "fuzz/run.sh: Sources/$d is not in run.sh's list of modules; add it in build order"; exit 2; }
done

# The library's sources, copied first: others may edit them while a long
# build runs.
snapshot_sources() {
    local dest="$1" fresh="$out/src.new" m
    rm -rf "$fresh"
    mkdir -p "$fresh"
    for m in "${modules[@]}"; do cp -R "$repo/Sources/$m" "$fresh/$m"; done
    if [[ -d "$dest" ]] && diff -rq "$dest" "$fresh" >/dev/null 2>&1; then
        rm -rf "$fresh"
        return 1 # unchanged
    fi
    rm -rf "$dest"
    mv "$fresh" "$dest"
    return 0
}

# One set of static libraries per sanitizer set, one per module, as SwiftPM
# would build them (the same module names, so `import Linja` and `import
# LinjaTools` mean what they mean in the package).
build_library() {
    local san="$1" lib="$out/lib-${1//,/-}"
    local src="$lib/src" m
    mkdir -p "$lib"
    if snapshot_sources "$src" || [[ ! -f "$lib/libLinjaTools.a" ]]; then
        log "building the library (-sanitize=$san; a few minutes)…"
        rm -f "$lib"/lib*.a
        for m in "${modules[@]}"; do
            (cd "$src/$m" && find . -name '*.swift' | sort > "$lib/sources-$m.txt" &&
                swiftc -sanitize="$san" -parse-as-library -O -wmo -g -suppress-warnings \
                    -package-name Linja -module-name "$m" -emit-library -static -I "$lib" \
                    -emit-module -emit-module-path "$lib/$m.swiftmodule" \
                    -o "$lib/lib$m.a" $(cat "$lib/sources-$m.txt")) >&2 || return 1
        done
    fi
    echo "$lib"
}

build_harness() {
    local name="$1" san="$2" lib bin
    lib="$(build_library "$san")" || return 1
    bin="$out/bin/$name-fuzzer${3:-}"
    mkdir -p "$out/bin"
    local files=("$here/Support.swift" "$here/harness_$name.swift")
    case "$name" in check|parser_mutations|compile) files+=("$here/Mutator.swift") ;; esac
    local stale=0 f libs=() m
    # Static libraries: each before the ones it uses.
    for ((m = ${#modules[@]} - 1; m >= 0; m--)); do libs+=("-l${modules[$m]}"); done
    [[ -x "$bin" && ! "$lib/libLinjaTools.a" -nt "$bin" ]] || stale=1
    for f in "${files[@]}"; do if [[ "$f" -nt "$bin" ]]; then stale=1; fi; done
    if [[ "$stale" == 1 ]]; then
        log "building $name (-sanitize=$san)…"
        swiftc -sanitize="$san" -parse-as-library -O -g -use-ld=lld -package-name Linja \
            -I "$lib" -L "$lib" "${libs[@]}" \
            "${files[@]}" -o "$bin" >&2 || return 1
    fi
    echo "$bin"
}

# MARK: Seeds

# Fresh seeds from the current tree (kept out of fuzz/corpus until a merge
# finds them useful).
make_seeds() {
    local name="$1" dir="$out/seeds/$1"
    rm -rf "$dir"
    mkdir -p "$dir"
    case "$name" in
        check|parser_mutations|compile)
            local i=0 f
            while IFS= read -r f; do
                i=$((i + 1))
                cp "$f" "$dir/$(printf '%03d' $i)-$(basename "$f")"
            done < <(find "$repo/rules" "$repo/Tests" -name '*.linja' -o -name '*.linja.formatted' | sort)
            if [[ "$name" == check || "$name" == compile ]]; then
                # Files cut at blank lines into pieces that fit -max_len,
                # importing ../common as the areas' files do.
                while IFS= read -r f; do
                    i=$((i + 1))
                    awk -v base="$dir/$(printf '%03d' $i)-piece-$(basename "$f" .linja)" \
                        -v pre="$([[ "$f" == */rules/common/* ]] && echo "" || echo 'import "../common"')" '
                        function flush() { if (buf != "") { n++; f = base "-" n ".linja";
                            if (pre != "") print pre > f; printf "%s", buf > f; close(f); buf = "" } }
                        { if ($0 == "" && length(buf) > 1500) flush(); buf = buf $0 "\n" }
                        END { flush() }' "$f"
                done < <(find "$repo/rules" -name '*.linja' | sort)
                # Whole policies in one file (a policy that checks clean).
                cat "$repo"/rules/common/*.linja > "$dir/policy-common.linja"
            fi
            if [[ "$name" == compile ]]; then
                # Shapes the compiler once broke on (issue 17): a long chain
                # of lets, lets that use the one before twice, many rules.
                local k
                { echo 'import "../common"'; echo 'let c0 = age + 1'
                  for ((k = 1; k < 300; k++)); do echo "let c$k = c$((k - 1)) + 1"; done
                  echo 'rule chain when c299 > 340 then flag long_term_unemployed'; } > "$dir/gen-let-chain.linja"
                { echo 'import "../common"'; echo 'let d0 = age'
                  for ((k = 1; k <= 40; k++)); do echo "let d$k = d$((k - 1)) + d$((k - 1))"; done
                  echo 'rule doubled when d40 > 0 then flag long_term_unemployed'; } > "$dir/gen-shared-lets.linja"
                { echo 'import "../common"'
                  for ((k = 0; k < 600; k++)); do echo "rule many_$k when age > $((k % 90)) then flag long_term_unemployed"; done
                } > "$dir/gen-many-rules.linja"
            fi
            ;;
        csv|indicators|goals)
            cp "$here/seeds/$name"/* "$dir/" 2>/dev/null || true
            ;;
    esac
    echo "$dir"
}

# MARK: Running

summary() { # the last status line of a libFuzzer log
    grep -aE '^#[0-9]+' "$1" | tail -1 || true
}

run_one() {
    local name="$1" bin asan_bin seeds corpus work artifacts logf status=0
    bin="$(build_harness "$name" "$sanitizers")" || { log "building $name failed"; return 1; }
    seeds="$(make_seeds "$name")" || return 1
    corpus="$here/corpus/$name"
    work="$out/work/$name"
    artifacts="$out/artifacts/$name"
    mkdir -p "$corpus" "$work" "$artifacts" "$out/logs"
    logf="$out/logs/$name-$(date +%Y%m%d-%H%M%S).log"
    local opts=(-max_len="$(max_len "$name")" -dict="$(dict "$name")" -timeout=10 -rss_limit_mb=4096
        -print_final_stats=1 -artifact_prefix="$artifacts/" -use_value_profile=0)
    # shellcheck disable=SC2206
    opts+=(${FUZZ_ARGS:-})
    log "fuzzing $name for $seconds s (log: $logf)…"
    local start=$SECONDS left="$seconds" execs=0 runs=0 n
    while :; do
        runs=$((runs + 1))
        (cd "$repo" && "$bin" "${opts[@]}" -max_total_time="$left" "$work" "$corpus" "$seeds") >>"$logf" 2>&1 || status=$?
        n="$(grep -a 'stat::number_of_executed_units' "$logf" | tail -1 | awk '{print $2}')"
        execs=$((execs + ${n:-0}))
        left=$((seconds - (SECONDS - start)))
        # Keep going after a crash (it is saved) while time is left.
        [[ "${FUZZ_KEEP_GOING:-0}" == 1 && "$status" != 0 && "$left" -gt 10 ]] || break
        log "  a crash was saved; going on for $left s"
        status=0
    done
    log "  $(summary "$logf")"
    log "  executions: $execs in $((SECONDS - start)) s ($runs run(s)); peak RSS $(grep -a 'stat::peak_rss_mb' "$logf" | awk '{print $2}' | sort -n | tail -1) MB"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "$sanitizers" "$((SECONDS - start))" "$execs" \
        "$(summary "$logf" | grep -oE 'cov: [0-9]+ ft: [0-9]+')" >> "$out/stats.tsv"

    if [[ "${FUZZ_NO_MERGE:-0}" != 1 ]]; then
        # Minimise: everything that adds coverage, from the old corpus, this
        # run's new inputs and the seeds, into a fresh folder. The merge
        # replays every input, under the address sanitizer.
        if [[ "$sanitizers" == fuzzer,address ]]; then
            asan_bin="$bin"
        else
            asan_bin="$(build_harness "$name" fuzzer,address -asan)" || { log "building $name failed"; return 1; }
        fi
        local merged="$out/merged/$name"
        rm -rf "$merged"
        mkdir -p "$merged"
        log "minimising the $name corpus…"
        if (cd "$repo" && "$asan_bin" -merge=1 -max_len="$(max_len "$name")" -timeout=30 -rss_limit_mb=4096 \
                -artifact_prefix="$artifacts/" "$merged" "$corpus" "$work" "$seeds") >"$logf.merge" 2>&1; then
            rm -rf "$corpus"
            mv "$merged" "$corpus"
            rm -rf "$work"
            log "  corpus: $(find "$corpus" -type f | wc -l) files, $(du -sh "$corpus" | cut -f1)"
        else
            log "  the merge failed (see $logf.merge); fuzz/corpus/$name is unchanged"
            status=1
        fi
    fi
    local found
    found="$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)"
    if [[ "$found" -gt 0 ]]; then
        log "  $found crash/timeout/oom input(s) in $artifacts"
        status=1
    fi
    return "$status"
}

case "$which" in
    all) list=("${harnesses[@]}") ;;
    check|parser_mutations|compile|csv|indicators|goals) list=("$which") ;;
    -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) log "unknown harness '$which' (check, parser_mutations, compile, csv, indicators, goals or all)"; exit 2 ;;
esac

overall=0
for h in "${list[@]}"; do
    run_one "$h" || overall=1
done
exit "$overall"
