import type { Env } from "../env";
import type { SubscriptionDelivery } from "./durable-object";

/** The Durable Object that owns one subscription's pushes. */
export function deliveryStub(env: Env, subscriptionId: number): DurableObjectStub<SubscriptionDelivery> {
  const ns = env.SUBSCRIPTION_DO as unknown as DurableObjectNamespace<SubscriptionDelivery>;
  return ns.get(ns.idFromName(`subscription:${subscriptionId}`));
}
