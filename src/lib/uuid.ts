/** An order, shipment or notification id as Varsel hands them out (SPEC §5): a UUID, any case. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can name an order, shipment or notification at all (anything else is answered as unknown). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
