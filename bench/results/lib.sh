# Shared by nielsen_ladder.sh, lenet5.sh and resnet.sh (source it from the repository root): finds the CLI and runs
# one `hubel train --json` command, then appends its summary line to a results file with record.py.
#   HUBEL   command that runs the CLI (default: build src/Hubel.Cli in Release and run its dll with dotnet)
#   DRY_RUN=1  print each command instead of running it (nothing is recorded)

if [[ -z "${HUBEL:-}" && -z "${DRY_RUN:-}" ]]; then
  dotnet build src/Hubel.Cli -c Release -v q -nologo >/dev/null
  HUBEL="dotnet src/Hubel.Cli/bin/Release/net10.0/Hubel.Cli.dll"
fi

# Fashion-MNIST, or the repo's 8,000/2,000 subset for smoke tests.
check_dataset() {
  case "$1" in
    fashion-mnist | shipped) ;;
    *) echo "DATASET must be fashion-mnist or shipped; got $1" >&2; exit 2 ;;
  esac
}

# train_and_record RESULTS RAW STEP NAME REFERENCE REFERENCE_LABEL EPOCHS hubel-arguments...
# Runs `hubel hubel-arguments...` with stdout into RAW and appends the summary (wall time included) to RESULTS.
# REFERENCE may be "-" (none). Sets LAST_WALL to the run's wall-clock seconds.
train_and_record() {
  local results=$1 raw=$2 step=$3 name=$4 reference=$5 label=$6 epochs=$7
  shift 7
  if [[ -n "${DRY_RUN:-}" ]]; then
    echo "step $step ($name): hubel $*"
    LAST_WALL=0
    return 0
  fi
  echo "step $step: $name ($epochs epochs)" >&2
  local start end
  start=$(date +%s.%N)
  $HUBEL "$@" > "$raw"
  end=$(date +%s.%N)
  LAST_WALL=$(python3 -c "print($end - $start)")
  local ref=()
  [[ "$reference" != "-" ]] && ref=(--reference "$reference" --reference-label "$label")
  python3 bench/results/record.py "$results" "$raw" --step "$step" --name "$name" --epochs "$epochs" --wall "$LAST_WALL" \
    "${ref[@]}" --command "hubel $*" >/dev/null
}
