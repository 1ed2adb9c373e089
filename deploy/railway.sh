#!/usr/bin/env bash
# Deploys Docent to Railway, with PostgreSQL on Neon and course vectors on Qdrant Cloud.
#
#   deploy/railway.sh --database-url 'postgresql://…neon.tech/docent?sslmode=require' \
#     --qdrant-url https://….cloud.qdrant.io --qdrant-api-key … --cors-origins https://course.example.com \
#     [--smtp-url smtps://user:pass@smtp.example.com:465 --mail-from 'Docent <docent@example.com>'] \
#     [--qdrant-collection physical_ai_course] [--service docent] [--dry-run]
#
# Every option can come from the environment instead (DATABASE_URL, QDRANT_URL, QDRANT_API_KEY,
# CORS_ORIGINS, SMTP_URL, MAIL_FROM, QDRANT_COLLECTION); what is still missing is asked for when
# run in a terminal (secrets without echo). A 256-bit SECRET_KEY is generated here, on your machine.
# --dry-run prints every railway command (secrets masked) and runs none.
# Run it from the repository root, in a directory linked to your Railway project (railway link).
# Exit codes: 0 deployed, 1 a railway command failed, 2 bad or missing input.
set -euo pipefail

DRY_RUN=false
SERVICE=""
DATABASE_URL="${DATABASE_URL:-}"
QDRANT_URL="${QDRANT_URL:-}"
QDRANT_API_KEY="${QDRANT_API_KEY:-}"
QDRANT_COLLECTION="${QDRANT_COLLECTION:-physical_ai_course}"
CORS_ORIGINS="${CORS_ORIGINS:-}"
SMTP_URL="${SMTP_URL:-}"
MAIL_FROM="${MAIL_FROM:-}"
SECRET_NAMES=" DATABASE_URL QDRANT_API_KEY SECRET_KEY SMTP_URL "

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
fail() { printf 'error: %s\n' "$1" >&2; exit "${2:-2}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --database-url) DATABASE_URL="${2:-}"; shift 2 ;;
    --qdrant-url) QDRANT_URL="${2:-}"; shift 2 ;;
    --qdrant-api-key) QDRANT_API_KEY="${2:-}"; shift 2 ;;
    --qdrant-collection) QDRANT_COLLECTION="${2:-}"; shift 2 ;;
    --cors-origins) CORS_ORIGINS="${2:-}"; shift 2 ;;
    --smtp-url) SMTP_URL="${2:-}"; shift 2 ;;
    --mail-from) MAIL_FROM="${2:-}"; shift 2 ;;
    --service) SERVICE="${2:-}"; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; fail "unknown option: $1" ;;
  esac
done

# Asks for a missing value in a terminal; elsewhere (CI, pipes) a missing value is an error.
ask() {
  local name="$1" flag="$2" prompt="$3" secret="${4:-false}" value=""
  if [ -n "${!name}" ]; then return; fi
  [ -t 0 ] || fail "missing $flag (or $name in the environment)"
  if [ "$secret" = true ]; then read -r -s -p "$prompt: " value; echo >&2; else read -r -p "$prompt: " value; fi
  [ -n "$value" ] || fail "missing $flag"
  printf -v "$name" '%s' "$value"
}

ask DATABASE_URL --database-url 'Neon connection string (postgresql://…?sslmode=require)' true
ask QDRANT_URL --qdrant-url 'Qdrant Cloud URL (https://…)'
ask QDRANT_API_KEY --qdrant-api-key 'Qdrant API key' true
ask CORS_ORIGINS --cors-origins 'Sites that embed the widget (https://…, comma-separated)'

[[ "$DATABASE_URL" =~ ^postgres(ql)?://[^@/]+@[^/]+/[^?]+ ]] || fail 'DATABASE_URL must look like postgresql://user:password@host/database?sslmode=require (Neon: Dashboard → Connect)'
[[ "$DATABASE_URL" =~ [?\&]sslmode=require(\&|$) ]] || fail 'DATABASE_URL must include sslmode=require: Neon only accepts encrypted connections'
[[ "$QDRANT_URL" =~ ^https://[^/]+ ]] || fail 'QDRANT_URL must start with https:// (Qdrant Cloud: Cluster → URL)'
[ -n "$QDRANT_API_KEY" ] || fail 'QDRANT_API_KEY must not be empty'
[[ "$QDRANT_COLLECTION" =~ ^[A-Za-z0-9_-]{1,255}$ ]] || fail 'QDRANT_COLLECTION must be letters, digits, _ or -'
IFS=',' read -r -a origins <<< "$CORS_ORIGINS"
for origin in "${origins[@]}"; do
  origin="${origin// /}"
  [[ "$origin" =~ ^https://[^/]+$ ]] || fail "CORS_ORIGINS: \"$origin\" is not an https:// origin (scheme and host, no path)"
done
if [ -n "$SMTP_URL" ]; then
  [[ "$SMTP_URL" =~ ^smtps?:// ]] || fail 'SMTP_URL must start with smtp:// or smtps://'
fi

# 256 bits from the operating system's generator, made here and never printed.
SECRET_KEY="$(node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('hex'))")"

# Prints a command with the values of secret variables masked (for --dry-run and progress lines).
describe() {
  local shown=() arg name
  for arg in "$@"; do
    name="${arg%%=*}"
    if [[ "$arg" == *=* && "$SECRET_NAMES" == *" $name "* ]]; then shown+=("$name=REDACTED"); else shown+=("$arg"); fi
  done
  printf 'railway'
  printf ' %q' "${shown[@]}"
  printf '\n'
}

railway_cmd() {
  if [ "$DRY_RUN" = true ]; then describe "$@"; return 0; fi
  railway "$@" || fail "railway $1 failed (see above)" 1
}

service_args=()
[ -n "$SERVICE" ] && service_args=(--service "$SERVICE")

if [ "$DRY_RUN" = false ]; then
  command -v railway > /dev/null || fail 'the Railway CLI is not installed: npm install -g @railway/cli, then railway login and railway link' 1
  railway whoami > /dev/null 2>&1 || fail 'not logged in to Railway: run railway login (and railway link in this directory)' 1
else
  echo '# dry run: these commands would run (secrets masked)'
  describe whoami
fi

variables=(
  "NODE_ENV=production"
  "DATABASE_URL=$DATABASE_URL"
  "QDRANT_URL=$QDRANT_URL"
  "QDRANT_API_KEY=$QDRANT_API_KEY"
  "QDRANT_COLLECTION=$QDRANT_COLLECTION"
  "SECRET_KEY=$SECRET_KEY"
  "INTEGRATION_TEST_MODE=false"
  "CORS_ORIGINS=$CORS_ORIGINS"
  # Railway puts one proxy in front of the service: rate limits must see readers, not the proxy.
  "TRUST_PROXY=1"
  "RAILWAY_DOCKERFILE_PATH=deploy/Dockerfile"
)
if [ -n "$SMTP_URL" ]; then
  variables+=("SMTP_URL=$SMTP_URL")
  [ -n "$MAIL_FROM" ] && variables+=("MAIL_FROM=$MAIL_FROM")
else
  variables+=("REQUIRE_EMAIL_VERIFICATION=false")
fi
set_args=()
for variable in "${variables[@]}"; do set_args+=(--set "$variable"); done

echo "Setting ${#variables[@]} variables (SECRET_KEY generated: 256 bits)…" >&2
railway_cmd variables "${set_args[@]}" --skip-deploys "${service_args[@]}"

echo 'Generating the public domain…' >&2
domain_url='https://<your-service>.up.railway.app'
if [ "$DRY_RUN" = true ]; then
  describe domain "${service_args[@]}"
else
  domain_output="$(railway domain "${service_args[@]}")" || fail 'railway domain failed' 1
  domain_url="$(grep -oE 'https://[A-Za-z0-9.-]+' <<< "$domain_output" | head -n 1 || true)"
  [ -n "$domain_url" ] || fail "could not read the domain from: $domain_output" 1
fi
railway_cmd variables --set "PUBLIC_URL=$domain_url" --skip-deploys "${service_args[@]}"

echo 'Deploying…' >&2
railway_cmd up --detach "${service_args[@]}"

first_origin="${origins[0]// /}"
cat << STEPS

Docent is deploying to $domain_url (build logs: railway logs).
After the deploy, from this directory:
  1. Check the configuration where it runs:   railway run npm run doctor
  2. Ingest the course into Qdrant:          railway run npm run ingest -- path/to/your/docs
  3. Create an operator API token (once):    railway run npm run admin -- create-token --name ops
  4. Smoke-test it from outside:             npm run smoke -- $domain_url --origin $first_origin
  5. Embed the widget on $first_origin:
       <script src="$domain_url/widget/docent.js" data-server="$domain_url" defer></script>
STEPS
if [ -z "$SMTP_URL" ]; then
  echo 'Note: no SMTP_URL, so new accounts are not asked to confirm their email (REQUIRE_EMAIL_VERIFICATION=false).'
  echo '      To turn confirmation on: railway variables --set SMTP_URL=… --set REQUIRE_EMAIL_VERIFICATION=true'
fi
