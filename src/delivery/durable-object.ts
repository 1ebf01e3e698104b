import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/** One per subscription: owns its queue of pushes (subscriptions issue). */
export class SubscriptionDelivery extends DurableObject<Env> {}
