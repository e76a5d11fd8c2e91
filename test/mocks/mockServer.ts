import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a provider mock sees of a request. */
export interface MockRequest {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	rawBody: string;
	/** Parsed JSON body, or undefined when the body is not JSON. */
	body: unknown;
	receivedAt: number;
}

export interface MockReply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

/** A provider's route: returns undefined when the path is not its own (404). */
export type Handler = (request: MockRequest) => MockReply | undefined;

/**
 * Faults a test queues; each is used by one request (to the paths it matches). The "applied"
 * faults run the real handler first, so the provider's state changes and only the answer is lost.
 */
export type Fault = { path?: RegExp } & (
	| { kind: 'latency'; ms: number }
	| { kind: 'reply'; status: number; body?: unknown; headers?: Record<string, string> }
	| { kind: 'resetBeforeApply' }
	| { kind: 'resetAfterApply' }
	| { kind: 'malformed'; applied: boolean }
	| { kind: 'hang' }
	/** A 200 whose body never ends: a few bytes every `everyMs` until the client gives up. */
	| { kind: 'trickle'; everyMs: number }
	/** The real handler runs (the provider's state changes), then its answer is rewritten: an
	 * answer that leaves IDs out, names IDs that were not sent, or echoes the request. */
	| { kind: 'rewrite'; rewrite: (reply: MockReply, request: MockRequest) => MockReply }
);

/** Decides a fault per request when none is queued (random fault schedules, persistent poison). */
export type FaultSchedule = (request: MockRequest) => Fault | undefined;

export interface RateLimit {
	requests: number;
	perMs: number;
	/** What a throttled request gets. */
	reply: (retryAfterMs: number) => MockReply;
}

/** A `node:http` server on 127.0.0.1 and a port the OS picks, with fault injection. */
export class MockServer {
	readonly requests: MockRequest[] = [];
	private readonly faults: Fault[] = [];
	private server?: Server;
	private readonly windowStarts: number[] = [];
	/** Added to every answer (benchmarks use a fixed per-request latency). */
	latencyMs = 0;
	rateLimit?: RateLimit;
	/** Consulted for every request that no queued fault matched. */
	schedule?: FaultSchedule;
	baseUrl = '';

	constructor(private readonly handler: Handler) {}

	async start(): Promise<string> {
		this.server = createServer((req, res) => this.serve(req, res));
		this.server.keepAliveTimeout = 1000;
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.server.unref();
		this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this.baseUrl;
	}

	async close(): Promise<void> {
		if (!this.server) return;
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server!.close(() => resolve()));
		this.server = undefined;
	}

	inject(...faults: Fault[]): void {
		this.faults.push(...faults);
	}

	/** Drop queued faults no request used (so they cannot leak into the next test). */
	clearFaults(): Fault[] {
		return this.faults.splice(0, this.faults.length);
	}

	/** Requests to paths matching `path`. */
	requestsTo(path: RegExp): MockRequest[] {
		return this.requests.filter((r) => path.test(r.path));
	}

	private takeFault(request: MockRequest): Fault | undefined {
		const index = this.faults.findIndex((f) => f.path === undefined || f.path.test(request.path));
		if (index !== -1) return this.faults.splice(index, 1)[0];
		const scheduled = this.schedule?.(request);
		return scheduled === undefined ||
			scheduled.path === undefined ||
			scheduled.path.test(request.path)
			? scheduled
			: undefined;
	}

	private throttled(now: number): number | undefined {
		const limit = this.rateLimit;
		if (limit === undefined) return undefined;
		while (this.windowStarts.length > 0 && now - this.windowStarts[0] >= limit.perMs)
			this.windowStarts.shift();
		if (this.windowStarts.length >= limit.requests)
			return limit.perMs - (now - this.windowStarts[0]);
		this.windowStarts.push(now);
		return undefined;
	}

	private serve(req: IncomingMessage, res: ServerResponse): void {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			void this.answer(req, res, Buffer.concat(chunks).toString('utf8'));
		});
	}

	private async answer(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://mock');
		let body: unknown;
		try {
			body = rawBody === '' ? undefined : JSON.parse(rawBody);
		} catch {
			body = undefined;
		}
		const request: MockRequest = {
			method: req.method ?? 'GET',
			path: url.pathname,
			query: url.searchParams,
			headers: req.headers,
			rawBody,
			body,
			receivedAt: Date.now(),
		};
		this.requests.push(request);
		const fault = this.takeFault(request);
		const latency = this.latencyMs + (fault?.kind === 'latency' ? fault.ms : 0);
		if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
		if (fault?.kind === 'hang') return; // the client's timeout ends it
		if (fault?.kind === 'trickle') return trickle(res, fault.everyMs);
		if (fault?.kind === 'resetBeforeApply') return void req.socket.destroy();
		if (fault?.kind === 'reply')
			return send(res, { status: fault.status, body: fault.body, headers: fault.headers });
		if (fault?.kind === 'malformed' && !fault.applied) return sendRaw(res, 200, '{"truncat');

		const wait = this.throttled(Date.now());
		if (wait !== undefined && this.rateLimit) return send(res, this.rateLimit.reply(wait));

		const reply = this.handler(request) ?? {
			status: 404,
			body: { message: `No route ${request.method} ${request.path}` },
		};
		if (fault?.kind === 'resetAfterApply') return void req.socket.destroy();
		if (fault?.kind === 'malformed')
			return sendRaw(res, reply.status, JSON.stringify(reply.body ?? {}).slice(0, 7));
		if (fault?.kind === 'rewrite') return send(res, fault.rewrite(reply, request));
		send(res, reply);
	}
}

function send(res: ServerResponse, reply: MockReply): void {
	const text =
		reply.body === undefined
			? ''
			: typeof reply.body === 'string'
				? reply.body
				: JSON.stringify(reply.body);
	sendRaw(res, reply.status, text, { 'content-type': 'application/json', ...reply.headers });
}

function sendRaw(
	res: ServerResponse,
	status: number,
	text: string,
	headers: Record<string, string> = { 'content-type': 'application/json' },
): void {
	res.writeHead(status, headers);
	res.end(text);
}

/** Headers at once, then a body that keeps arriving (an idle timeout never fires). */
function trickle(res: ServerResponse, everyMs: number): void {
	res.writeHead(200, { 'content-type': 'application/json' });
	res.write('{"padding":"');
	const timer = setInterval(() => {
		if (res.destroyed || res.writableEnded) return clearInterval(timer);
		res.write('....');
	}, everyMs);
	timer.unref();
	res.on('close', () => clearInterval(timer));
}
