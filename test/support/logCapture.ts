import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { LoggerProxy } from 'n8n-workflow';

/**
 * Every line n8n (and the node, through `this.logger`) logs during in-engine runs, at every level,
 * debug included, so the secret scan can read them. n8n logs through two doors: n8n-core's
 * `Logger` from the DI container (node contexts' `this.logger`, the request helpers) and
 * n8n-workflow's `LoggerProxy` (WorkflowExecute). Both are pointed at one recorder.
 */

export interface LogLine {
	level: string;
	message: string;
	/** The metadata as JSON (errors with message and stack), so a scan reads what a transport would write. */
	metadata: string;
}

const lines: LogLine[] = [];

function serialize(metadata: unknown): string {
	const seen = new WeakSet<object>();
	try {
		return (
			JSON.stringify(metadata ?? {}, (_key, value: unknown) => {
				if (value instanceof Error)
					return {
						...value,
						name: value.name,
						message: value.message,
						stack: value.stack,
						cause: value.cause,
					};
				if (value !== null && typeof value === 'object') {
					if (seen.has(value)) return '[circular]';
					seen.add(value);
				}
				return value;
			}) ?? ''
		);
	} catch {
		return String(metadata);
	}
}

class RecordingLogger {
	private record(level: string, message: unknown, metadata?: unknown): void {
		lines.push({
			level,
			message: typeof message === 'string' ? message : serialize(message),
			metadata: serialize(metadata),
		});
	}

	error(message: string, metadata?: unknown): void {
		this.record('error', message, metadata);
	}

	warn(message: string, metadata?: unknown): void {
		this.record('warn', message, metadata);
	}

	info(message: string, metadata?: unknown): void {
		this.record('info', message, metadata);
	}

	debug(message: string, metadata?: unknown): void {
		this.record('debug', message, metadata);
	}

	scoped(): this {
		return this;
	}
}

let installed = false;

/** Route n8n's loggers to the recorder (once per test file: jest gives each file its own modules). */
export function captureLogs(): void {
	if (installed) return;
	const logger = new RecordingLogger();
	Container.set(Logger, logger as unknown as Logger);
	LoggerProxy.init(logger as unknown as Parameters<typeof LoggerProxy.init>[0]);
	installed = true;
}

/** Where the log is now, to read only what a run added. */
export function logMark(): number {
	return lines.length;
}

/** Lines logged since `mark`. */
export function logLinesSince(mark = 0): LogLine[] {
	return lines.slice(mark);
}
