/**
 * A list to choose from, drawn by ink-select-input with the theme's
 * colours. It only draws: its keys come through the key map, as every
 * screen's do, since SelectInput reads them with useInput, which on Ink 6
 * gets a burst of keys before any re-render and so acts on a stale
 * highlight (and knows no Esc). Remounted at the screen's highlight, it
 * shows at most `rows` rows, scrolled to keep that one in view.
 */
import { Text } from 'ink';
import SelectInput, {
  type IndicatorProps,
  type ItemProps,
} from 'ink-select-input';
import { useUi } from '../ui-context.js';

export interface Choice {
  key: string;
  label: string;
}

export function ChoiceList({
  choices,
  highlighted,
  rows,
}: {
  choices: readonly Choice[];
  highlighted: number;
  rows: number;
}) {
  const items = choices.map((choice) => ({ ...choice, value: choice.key }));
  return (
    <SelectInput
      // SelectInput keeps its own highlight: a new one, or new items, remount it.
      key={`${highlighted}:${choices.map((choice) => choice.key).join('\n')}`}
      items={items}
      initialIndex={highlighted}
      isFocused={false}
      limit={Math.max(1, rows)}
      indicatorComponent={Pointer}
      itemComponent={Row}
    />
  );
}

function Pointer({ isSelected = false }: IndicatorProps) {
  const { theme } = useUi();
  return (
    <Text color={isSelected ? theme.accent : undefined}>
      {isSelected ? '❯ ' : '  '}
    </Text>
  );
}

function Row({ isSelected = false, label }: ItemProps) {
  const { theme } = useUi();
  return (
    <Text wrap="truncate-end" color={isSelected ? theme.accent : undefined}>
      {label}
    </Text>
  );
}
