import { isIn } from '../../core/state-path.js';
import { Box, Text } from 'ink';
import { useState } from 'react';
import {
  formatHyperparameter,
  HYPERPARAMETER_FIELDS,
  stepHyperparameter,
  type HyperparameterField,
} from '../../core/hyperparameters.js';
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

export function HyperparametersScreen({
  snapshot,
}: {
  snapshot: JourneySnapshot;
}) {
  const { theme, dispatch } = useUi();
  const { hyperparameters, hyperparameterErrors } = snapshot.context;
  const [focus, setFocus] = useState(0);
  // What the user is typing into the focused field; null shows the value.
  const [draft, setDraft] = useState<string | null>(null);
  const field = HYPERPARAMETER_FIELDS[focus];

  const set = (name: HyperparameterField, value: string) =>
    dispatch({ type: 'HYPERPARAMETER_SET', field: name, value });

  const moveTo = (next: number) => {
    // A value left half-typed or invalid falls back to the last valid one.
    if (field && draft !== null)
      set(field, formatHyperparameter(hyperparameters, field));
    setDraft(null);
    setFocus((next + ROWS) % ROWS);
  };

  useLocalCommands((command, input) => {
    switch (command) {
      case 'next':
        return moveTo(focus + 1);
      case 'previous':
        return moveTo(focus - 1);
      case 'activate':
        if (!field) return dispatch({ type: 'SUBMIT' });
        return moveTo(focus + 1);
      case 'toggle':
        return set('hpo', hyperparameters.hpo ? 'off' : 'on');
      case 'increase':
      case 'decrease': {
        if (!field) return;
        setDraft(null);
        const next = stepHyperparameter(
          hyperparameters,
          field,
          command === 'increase' ? 1 : -1,
        );
        return set(field, formatHyperparameter(next, field));
      }
      case 'type': {
        if (!field || !TYPED.includes(field)) return;
        const text = (draft ?? '') + input;
        setDraft(text);
        return set(field, text);
      }
      case 'erase': {
        if (!field || !TYPED.includes(field)) return;
        const text = (
          draft ?? formatHyperparameter(hyperparameters, field)
        ).slice(0, -1);
        setDraft(text);
        return set(field, text);
      }
    }
  });

  return (
    <Box flexDirection="column">
      <Text>How the model is trained. Each value is checked as you type.</Text>
      <Box flexDirection="column" marginTop={1}>
        {HYPERPARAMETER_FIELDS.map((name, i) => {
          const focused = i === focus;
          const error = hyperparameterErrors[name];
          const shown =
            focused && draft !== null
              ? draft
              : formatHyperparameter(hyperparameters, name);
          return (
            <Box key={name} flexDirection="column">
              <Box>
                <Text color={focused ? theme.accent : undefined}>
                  {focused ? '❯ ' : '  '}
                  {LABELS[name].padEnd(15)}
                </Text>
                <Text inverse={focused} color={error ? theme.error : undefined}>
                  {` ${shown} `}
                </Text>
                <Text color={theme.muted}> {focused ? NOTES[name] : ''}</Text>
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
