import type { runPipeline as RunPipeline } from '../../nodes/BatchDelete/engine/run';
import { runPipeline, targetsSource } from '../../nodes/BatchDelete/engine/run';
import type { Target } from '../../nodes/BatchDelete/engine/types';

type PipelineArgs = Parameters<typeof RunPipeline<unknown, void>>;

/**
 * One batch of targets through the pipeline, as the By ID path runs it, every result as an object.
 */
export async function runTargets<P>(
	provider: PipelineArgs[0] & { readParameters(...args: never[]): P },
	contexts: PipelineArgs[1],
	targets: Target[],
	settings: PipelineArgs[3],
	sender: PipelineArgs[4],
	clock: PipelineArgs[5],
	isCancelled: PipelineArgs[6],
) {
	const report = await runPipeline(
		provider,
		contexts,
		() => targetsSource(targets),
		settings,
		sender,
		clock,
		isCancelled,
	);
	const results = report.batches.flatMap(({ results: r }) =>
		Array.from({ length: r.length }, (_, i) => r.get(i)),
	);
	return { ...report, results };
}
