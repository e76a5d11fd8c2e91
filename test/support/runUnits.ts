import type { Unit } from '../../nodes/BatchDelete/engine/plan';
import type { runPipeline as RunPipeline } from '../../nodes/BatchDelete/engine/run';
import { runPipeline, unitsSource } from '../../nodes/BatchDelete/engine/run';

type PipelineArgs = Parameters<typeof RunPipeline<unknown, void>>;

/**
 * One batch of units through the pipeline, as the By ID path runs it, every result as an object.
 * `engine` lets a bench pass the compiled engine (dist/) instead of the sources.
 */
export async function runUnits<P>(
	provider: PipelineArgs[0] & { readParameters(...args: never[]): P },
	contexts: PipelineArgs[1],
	units: Unit[],
	settings: PipelineArgs[3],
	sender: PipelineArgs[4],
	clock: PipelineArgs[5],
	isCancelled: PipelineArgs[6],
	engine: { runPipeline: typeof runPipeline; unitsSource: typeof unitsSource } = {
		runPipeline,
		unitsSource,
	},
) {
	const report = await engine.runPipeline(
		provider,
		contexts,
		() => engine.unitsSource(units),
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
