import type { IExecuteFunctions } from 'n8n-workflow';

import { executionClock } from '../engine/clock';
import type { FilterEnd } from '../engine/listing';
import { OutputBuilder } from '../engine/outputs';
import type { RunReport } from '../engine/run';
import { runPipeline } from '../engine/run';
import { createTransport } from '../engine/transport';
import { progressLogger } from '../progress';
import type { RunCredential } from './credential';
import type { RunPlan } from './resolve';
import type { RunSource, Targets } from './targets';

export interface Ran {
	report: RunReport<FilterEnd | void>;
	outputs: OutputBuilder;
	durationMs: number;
}

/** Run the engine: results go straight to the outputs, batch by batch. */
export async function runEngine(
	ctx: IExecuteFunctions,
	{ provider, settings, scopes }: RunPlan,
	targets: Targets,
	credential: RunCredential,
	{ contexts, source }: RunSource,
): Promise<Ran> {
	const { type, secrets } = credential;
	const outputs = new OutputBuilder(
		provider.id,
		settings.output,
		secrets,
		provider.scopeFields === undefined
			? []
			: scopes.params.map((params) => provider.scopeFields!(params)),
	);
	for (const item of targets.problemItems) outputs.addProblem(item);
	const signal = ctx.getExecutionCancelSignal();
	const started = Date.now();
	const report = await runPipeline(
		provider,
		contexts,
		source,
		settings,
		createTransport(ctx, type.name, {
			timeoutMs: settings.timeoutMs,
			tokenProperty: type.tokenProperty,
			oAuth2: type.oAuth2,
			secrets,
		}),
		executionClock(signal),
		() => signal?.aborted === true,
		{
			sink: (sent, results) => outputs.add(sent, results),
			progress: progressLogger(
				ctx,
				provider.noun,
				provider.displayName,
				() => targets.list?.length,
			),
		},
	);
	return { report, outputs, durationMs: Date.now() - started };
}
