/** `maxrec recommend USER_ID`: a trained model's top items for one user. */
import { ExitCode } from '../core/errors.js';
import { Recommender } from '../services/recommender.js';
import type { Output } from './output.js';

export async function recommendCommand(options: {
  userId: string;
  model: string;
  count: number;
  titles?: string;
  /** Also list items the user already has. */
  all?: boolean;
  output: Output;
}): Promise<number> {
  const { userId, model, count, titles, all, output } = options;
  const recommender = await Recommender.load(model, { titlesFile: titles });
  try {
    const excludeSeen = !all && recommender.canExcludeSeen;
    const top = await recommender.recommend(userId, count, { excludeSeen });
    output.record(
      'recommendations',
      { user: userId, items: top },
      [
        `Top ${top.length} items for user ${userId}` +
          (excludeSeen ? ' (not seen in training):' : ':'),
        ...top.map((r, i) => {
          const name = r.title
            ? `${r.title} (item ${r.item})`
            : `item ${r.item}`;
          const rank = String(i + 1).padStart(2);
          return `  ${rank}. ${name}  score ${r.score.toFixed(3)}`;
        }),
      ].join('\n'),
    );
    return ExitCode.ok;
  } finally {
    await recommender.close();
  }
}
