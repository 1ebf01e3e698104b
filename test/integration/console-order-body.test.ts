// The console's new-order form builds the body the API takes: each recipient line becomes the right
// identifier per channel, and both bodies are accepted by POST /orders/email and /orders/sms.
import { describe, expect, it } from "vitest";
import { orderBody, recipientOf, type OrderDraft } from "../../console/src/order-body";
import { postJson } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

const draft = (over: Partial<OrderDraft> = {}): OrderDraft => ({
  recipients: "",
  subject: "Hello",
  senderNumber: "",
  body: "Text",
  sendersReference: "",
  resourceId: "",
  requestedSendTime: "",
  ...over,
});

describe("the console's order body", () => {
  it("reads each recipient line as the channel's identifier", () => {
    expect(recipientOf("kari@example.com")).toEqual({ emailAddress: "kari@example.com" });
    expect(recipientOf(" 01017012345 ")).toEqual({ nationalIdentityNumber: "01017012345" });
    expect(recipientOf("910000001", "sms")).toEqual({ organizationNumber: "910000001" });
    expect(recipientOf("+47 40 00 00 02", "sms")).toEqual({ mobileNumber: "+47 40 00 00 02" });
    expect(recipientOf("004799999999", "sms")).toEqual({ mobileNumber: "004799999999" });
    expect(recipientOf("99999999", "sms")).toEqual({ mobileNumber: "99999999" });
  });

  it("is accepted by the API for both channels, with only the channel's own fields", async () => {
    const headers = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const sms = orderBody(
      "sms",
      draft({ recipients: "+4799999999\n01017012345", senderNumber: "Varsel", requestedSendTime: later }),
    );
    expect(sms).not.toHaveProperty("subject");
    expect((await postJson("/notifications/api/v1/orders/sms", sms, headers)).status).toBe(202);
    const email = orderBody("email", draft({ recipients: "kari@example.com;910000001", requestedSendTime: later }));
    expect(email).not.toHaveProperty("senderNumber");
    expect((await postJson("/notifications/api/v1/orders/email", email, headers)).status).toBe(202);
  });

  it("gets the API's own validation text for a number that is not a mobile number", async () => {
    const headers = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
    const res = await postJson(
      "/notifications/api/v1/orders/sms",
      orderBody("sms", draft({ recipients: "+47 12" })),
      headers,
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("E.164");
  });
});
