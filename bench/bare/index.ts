// The baseline: a Worker that does nothing but answer, run by the same wrangler dev as Varsel.
export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method === "POST") await request.arrayBuffer();
    return new Response(null, { status: 200 });
  },
};
