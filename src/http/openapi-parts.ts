// The small builders every part of the OpenAPI document is written with (src/http/openapi.ts and
// the routers that describe their own operations), so a reference or an error response is spelled
// one way.

/** A reference to a schema under #/components/schemas. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A JSON body (request or response) of the named schema. */
export const jsonBody = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } });

/** An error response: the API's Error schema with this description. */
export const errorResponse = (description: string) => ({ description, ...jsonBody('Error') });

/** A value of this type, or null. */
export const nullable = (type: string) => ({ type: [type, 'null'] });
