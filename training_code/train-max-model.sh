#!/usr/bin/env bash
# maxrec training entry point, run by every backend from this folder.
# Exit codes (as the original): 0 ok, 1 training failed, 3 packing the results failed,
# 5 DATA_DIR or RESULT_DIR unset or missing, 6 installing requirements.txt failed.
TRAINING_CMD="python3 train_ncf.py --data data/ratings.csv --epoch 20"

set -uo pipefail  # no -e: each step's failure maps to its own exit code below

cd "$(dirname "$0")" || exit 5

if [[ -z "${DATA_DIR:-}" || ! -d "${DATA_DIR:-}" ]]; then
  echo "Error: DATA_DIR is unset or not a folder (DATA_DIR='${DATA_DIR:-}'); set it to the uploaded data." >&2
  echo "Error: DATA_DIR is unset or not a folder"
  exit 5
fi
if [[ -z "${RESULT_DIR:-}" || ! -d "${RESULT_DIR:-}" ]]; then
  echo "Error: RESULT_DIR is unset or not a folder (RESULT_DIR='${RESULT_DIR:-}'); create it first." >&2
  echo "Error: RESULT_DIR is unset or not a folder"
  exit 5
fi
export DATA_DIR RESULT_DIR

if [[ "${MAXREC_SKIP_INSTALL:-0}" != "1" ]]; then
  echo "Installing requirements.txt"
  if ! "${PYTHON:-python3}" -m pip install --quiet -r requirements.txt; then
    echo "Error: pip install -r requirements.txt failed"
    exit 6
  fi
  "${PYTHON:-python3}" -m pip freeze || true
fi

MODEL_DIR="$RESULT_DIR/model"
mkdir -p "$MODEL_DIR" || exit 5
echo "Running: $TRAINING_CMD --output $MODEL_DIR/trained_model"
# TRAINING_CMD is a shell command line: quote a value that holds spaces or
# shell characters (the app's packaging step writes it quoted).
eval "$TRAINING_CMD --output \"\$MODEL_DIR/trained_model\""
status=$?
if [[ $status -ne 0 ]]; then
  echo "Training failed with exit code $status"
  exit 1
fi

ARCHIVE="$RESULT_DIR/model_training_output.tar.gz"
if ! tar -czf "$ARCHIVE.tmp" -C "$MODEL_DIR" trained_model || ! mv -f "$ARCHIVE.tmp" "$ARCHIVE"; then
  rm -f "$ARCHIVE.tmp"
  echo "Error: packing $ARCHIVE failed"
  exit 3
fi
echo "Packed $ARCHIVE"
exit 0
