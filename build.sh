#!/usr/bin/env bash
# AlchemyTypes build script.
#   ./build.sh test    install what the test suite needs, check the packed packages, then run every test (unit + functional)
#   ./build.sh build   build the solution
#   ./build.sh bench   the Performance table: the benchmarks behind it (short jobs, about 20 minutes on 2 cores) and the
#                      resident-memory probe per backend, composed into artifacts/bench/summary.md and printed;
#                      with a filter, BenchmarkDotNet's own run of the matching benchmarks: ./build.sh bench '*KeyGeneration*' 
#   ./build.sh pack    pack every package into artifacts/packages, then prove them in a fresh project outside the repo
set -euo pipefail
cd "$(dirname "$0")"

ensure_debian_packages() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "build.sh: missing Debian packages: ${missing[*]}. Install them (sudo apt-get install ${missing[*]}) or run as root." >&2
    exit 1
  fi
  echo "build.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

prepare_test_machine() {
  # PostgreSQL: the fixture starts a private cluster from the machine's binaries unless ALCHEMYTYPES_TEST_POSTGRES is set.
  if [[ -z ${ALCHEMYTYPES_TEST_POSTGRES:-} ]] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    ensure_debian_packages postgresql-15
  fi
  # MariaDB: the fixture starts a private server from the machine's mariadbd unless ALCHEMYTYPES_TEST_MARIADB is set.
  if [[ -z ${ALCHEMYTYPES_TEST_MARIADB:-} ]] && ! command -v mariadbd >/dev/null 2>&1 && [[ ! -x /usr/sbin/mariadbd ]]; then
    ensure_debian_packages mariadb-server
  fi
  # Password-hash interoperability tests: the reference argon2 CLI, Apache htpasswd (bcrypt), libsodium (Argon2id).
  ensure_debian_packages argon2 apache2-utils libsodium23
  # The browser tests drive Debian's chromium with Playwright (never a downloaded browser build).
  if [[ -z ${ALCHEMYTYPES_TEST_CHROMIUM:-} ]] && [[ ! -x /usr/bin/chromium ]]; then
    ensure_debian_packages chromium
  fi
  # Node.js runs the npm test servers (s3rver, Azurite), pinned in tests/package-lock.json.
  command -v node >/dev/null 2>&1 || ensure_debian_packages nodejs npm
  if [[ ! -f tests/node_modules/.package-lock.json ]] || ! cmp -s tests/package-lock.json tests/node_modules/.package-lock-ci.json; then
    npm ci --prefix tests --no-audit --no-fund --loglevel=error
    cp tests/package-lock.json tests/node_modules/.package-lock-ci.json
  fi
}

run_tests() {
  prepare_test_machine
  # The packages must work outside the solution: pack them and use them from a fresh project first.
  pack_and_check
  # A non-UTC zone makes the Local -> UTC conversion tests meaningful; override with ALCHEMYTYPES_TEST_TZ.
  export TZ=${ALCHEMYTYPES_TEST_TZ:-Asia/Kolkata}
  local log status=0
  log=$(mktemp)
  dotnet test AlchemyTypes.sln -c Release "$@" 2>&1 | tee "$log" || status=$?
  # One closing line for the whole run, summed over the test projects.
  # (The count is copied before use: assigning past the last field would grow the record forever in gawk.)
  awk '/(Passed|Failed)! +- +Failed:/ {
         for (i = 1; i < NF; i++) { v = $(i+1); gsub(",", "", v);
           if ($i == "Failed:") f += v; if ($i == "Passed:") p += v; if ($i == "Skipped:") s += v } }
       END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
  rm -f "$log"
  return "$status"
}

pack_and_check() {
  local version ef consumer global nupkg id
  # The version of Directory.Build.props, a stable one: `dotnet add package AlchemyTypes` takes it from the local folder
  # without --prerelease (README, Quick start).
  version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)"
  rm -rf artifacts/packages
  for project in src/*/*.csproj providers/*/*.csproj; do
    dotnet pack "$project" -c Release -o artifacts/packages -p:ContinuousIntegrationBuild=true --nologo -v quiet
  done
  # NuGet's global packages folder caches a package by id and version: drop this version's AlchemyTypes packages from it,
  # so that every restore from now on (the check below, your own projects) takes the ones just packed, not an earlier pack's.
  global=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')
  for nupkg in artifacts/packages/*.nupkg; do
    id=$(basename "$nupkg" ".$version.nupkg" | tr '[:upper:]' '[:lower:]')
    if [[ -n $global && -n $id ]]; then rm -rf "${global%/}/$id/$version"; fi
  done
  ef=$(sed -n 's:.*<EFCoreVersion>\(.*\)</EFCoreVersion>.*:\1:p' Directory.Packages.props)
  consumer=$(mktemp -d)
  sed -e "s/@VERSION@/$version/" -e "s/@EFVERSION@/$ef/" tests/PackageConsumer/PackageConsumer.csproj.template > "$consumer/PackageConsumer.csproj"
  cp tests/PackageConsumer/Program.cs "$consumer/"
  # The local folder first; the configured feeds for the packages' own dependencies.
  dotnet new nugetconfig -o "$consumer" >/dev/null
  dotnet nuget add source "$PWD/artifacts/packages" -n alchemytypes-local --configfile "$consumer/nuget.config" >/dev/null
  for feed in $(dotnet nuget list source --format short 2>/dev/null | awk '$1 == "E" {print $2}'); do
    dotnet nuget add source "$feed" -n "feed-$RANDOM" --configfile "$consumer/nuget.config" >/dev/null 2>&1 || true
  done
  dotnet run --project "$consumer" -c Release
  rm -rf "$consumer"
}

run_bench() {
  if (($#)); then
    dotnet run -c Release --project tests/AlchemyTypes.Benchmarks -- --filter "$@"
    return
  fi
  # Debian's libsodium (the password-hash benchmark checks it) and s3rver/Azurite (the cloud rows), as the tests have them.
  ensure_debian_packages libsodium23
  command -v node >/dev/null 2>&1 || ensure_debian_packages nodejs npm
  if [[ ! -f tests/node_modules/.package-lock.json ]]; then
    npm ci --prefix tests --no-audit --no-fund --loglevel=error
  fi
  dotnet build tests/AlchemyTypes.MemoryProbe -c Release --nologo -v quiet
  dotnet build tests/AlchemyTypes.Benchmarks -c Release --nologo -v quiet
  dotnet tests/AlchemyTypes.Benchmarks/bin/Release/net10.0/AlchemyTypes.Benchmarks.dll --summary artifacts/bench \
    tests/AlchemyTypes.MemoryProbe/bin/Release/net10.0/AlchemyTypes.MemoryProbe.dll "${ALCHEMYTYPES_PROBE_MIB:-1024}"
}

case "${1:-test}" in
  test) shift || true; run_tests "$@" ;;
  build) dotnet build AlchemyTypes.sln -c Release ;;
  pack) pack_and_check ;;
  bench) shift || true; run_bench "$@" ;;
  *) echo "usage: ./build.sh [test|build|pack|bench [filter]]" >&2; exit 2 ;;
esac
