// Placeholder until the e-mail issue: no mail catcher yet.
export async function startMailCatcher({ smtpPort, webPort }) {
  return { smtpPort, webPort, close: async () => {} };
}
