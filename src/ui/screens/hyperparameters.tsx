import { isIn } from '../../core/state-path.js';
import { Box, Text } from 'ink';
import { useRef, useState } from 'react';
import {
  formatHyperparameter,
  HYPERPARAMETER_FIELDS,
  inspectedDelimiter,
  inspectedSeparation,
  stepHyperparameter,
  type HyperparameterField,
} from '../../core/hyperparameters.js';
import type { DataInspection } from '../../core/types.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import { useLocalCommands, useUi } from '../ui-context.js';

const LABELS: Record<HyperparameterField, string> = {
  epochs: 'Epochs',
  batchSize: 'Batch size',
  factors: 'Factors',
  learningRate: 'Learning rate',
  delimiter: 'Delimiter',
  hpo: 'HPO',
};

const NOTES: Record<HyperparameterField, string> = {
  epochs: 'passes over the data',
  batchSize: 'interactions per step; ←→ halve or double',
  factors: 'size of the user and item embeddings',
  learningRate: 'Adam step size; ←→ on a 1-2-5 scale',
  delimiter: 'of the ratings file; ←→ choose',
  hpo: 'search the values on validation data (slower); h toggles',
};

/** Fields whose value the user can type (digits and '.'). */
const TYPED: readonly HyperparameterField[] = [
  'epochs',
  'batchSize',
  'factors',
  'learningRate',
];
const ROWS = HYPERPARAMETER_FIELDS.length + 1;

/**
 * Whether the delimiter is the inspected file's, and so not for changing
 * here: the trainer must split the file as the inspection's preview did.
 */
function delimiterFixed(inspection: DataInspection | null): boolean {
  return inspectedDelimiter(inspection) !== null;
}

/** The delimiter row's note once the file has fixed it. */
function fixedDelimiterNote(inspection: DataInspection, focused: boolean) {
  const found = inspectedSeparation(inspection);
  return focused ? `${found}; to change it, Esc and pick another file` : found;
}

/** How a value shows in the editor; a space would look like nothing. */
function shownValue(text: string): string {
  return text === ' ' ? 'space' : text;
}

export function HyperparametersScreen({
  snapshot,
}: {
  snapshot: JourneySnapshot;
}) {
  const { theme, dispatch, latest } = useUi();
  const { hyperparameters, hyperparameterErrors, inspection } =
    snapshot.context;
  // Focus and draft live in refs too: the keys of one burst (3, ↓, ↓, Enter)
  // each build on the one before, not on the last render.
  const focusRef = useRef(0);
  const [focus, setFocus] = useState(0);
  // What the user is typing into the focused field; null shows the value.
  const draftRef = useRef<string | null>(null);
  const [draft, setDraft] = useState<string | null>(null);
  // Text left in a field that is not a valid value: it stays as typed, with
  // the row's error, until it is fixed; nothing valid is put in its place.
  const invalidRef = useRef<Partial<Record<HyperparameterField, string>>>({});
  const [invalid, setInvalid] = useState(invalidRef.current);
  const field = HYPERPARAMETER_FIELDS[focus];

  const set = (name: HyperparameterField, value: string) =>
    dispatch({ type: 'HYPERPARAMETER_SET', field: name, value });
  const updateDraft = (text: string | null) => {
    draftRef.current = text;
    setDraft(text);
  };
  const keepInvalid = (name: HyperparameterField, text: string | null) => {
    const next = { ...invalidRef.current };
    if (text === null) delete next[name];
    else next[name] = text;
    invalidRef.current = next;
    setInvalid(next);
  };

  const moveTo = (next: number) => {
    const current = HYPERPARAMETER_FIELDS[focusRef.current];
    if (current && draftRef.current !== null) {
      const refused = latest().context.hyperparameterErrors[current];
      keepInvalid(current, refused ? draftRef.current : null);
    }
    updateDraft(null);
    // No wrapping: ↑ on the first row must not land on Start training,
    // where the next Enter would start a run.
    focusRef.current = Math.min(ROWS - 1, Math.max(0, next));
    setFocus(focusRef.current);
  };

  useLocalCommands({
    command: (command, key) => {
      const at = focusRef.current;
      const current = HYPERPARAMETER_FIELDS[at];
      const values = latest().context.hyperparameters;
      switch (command) {
        case 'next':
          return moveTo(at + 1);
        case 'previous':
          return moveTo(at - 1);
        case 'activate':
          // Enter moves on; on "Start training" it starts.
          if (!current) return dispatch({ type: 'SUBMIT' });
          return moveTo(at + 1);
        case 'toggle':
          return set('hpo', values.hpo ? 'off' : 'on');
        case 'increase':
        case 'decrease': {
          if (!current) return;
          const { inspection } = latest().context;
          if (current === 'delimiter' && delimiterFixed(inspection)) return;
          updateDraft(null);
          keepInvalid(current, null);
          const next = stepHyperparameter(
            values,
            current,
            command === 'increase' ? 1 : -1,
          );
          return set(current, formatHyperparameter(next, current));
        }
        case 'type': {
          if (!current || !TYPED.includes(current)) return;
          // The first digit replaces the value, the next ones add to it.
          const text = (draftRef.current ?? '') + key.text;
          updateDraft(text);
          return set(current, text);
        }
        case 'erase': {
          if (!current || !TYPED.includes(current)) return;
          const text = (
            draftRef.current ??
            invalidRef.current[current] ??
            formatHyperparameter(values, current)
          ).slice(0, -1);
          updateDraft(text);
          return set(current, text);
        }
      }
    },
  });

  return (
    <Box flexDirection="column">
      <Text>How the model is trained. Each value is checked as you type.</Text>
      <Box flexDirection="column" marginTop={1}>
        {HYPERPARAMETER_FIELDS.map((name, i) => {
          const focused = i === focus;
          const error = hyperparameterErrors[name];
          const refusedText = error === undefined ? undefined : invalid[name];
          const shown =
            focused && draft !== null
              ? draft
              : (refusedText ??
                shownValue(formatHyperparameter(hyperparameters, name)));
          const note =
            name === 'delimiter' && inspection && delimiterFixed(inspection)
              ? fixedDelimiterNote(inspection, focused)
              : focused
                ? NOTES[name]
                : '';
          return (
            <Box key={name} flexDirection="column">
              <Box>
                {/* Label and value keep their width; the note gives way. */}
                <Box flexShrink={0}>
                  <Text color={focused ? theme.accent : undefined}>
                    {focused ? '❯ ' : '  '}
                    {LABELS[name].padEnd(15)}
                  </Text>
                  <Text
                    inverse={focused}
                    color={error ? theme.error : undefined}
                  >
                    {` ${shown} `}
                  </Text>
                </Box>
                <Text wrap="truncate-end" color={theme.muted}>
                  {' '}
                  {note}
                </Text>
              </Box>
              {error ? (
                <Text color={theme.error}>
                  {'    ✗ '}
                  {error}
                </Text>
              ) : null}
            </Box>
          );
        })}
        <Text color={field ? undefined : theme.accent} bold={!field}>
          {field ? '  ' : '❯ '}Start training ▶
        </Text>
      </Box>
      {isIn(snapshot, 'hyperparameters.saving') ? (
        <Text color={theme.muted}>Saving…</Text>
      ) : null}
    </Box>
  );
}
