/**
 * The REST API's types, generated from docs/openapi.json by openapi-typescript: do not
 * edit. `npm run dashboard:types` regenerates it (`npm run openapi` does too).
 */
export interface paths {
  '/api/v1/session': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Who the token or session is */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description the token name; the actor of its events is api:<name> */
              name: string;
              /** @enum {string} */
              role: 'admin' | 'viewer';
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    /** Log in with an API token: sets the session cookie and the CSRF cookie */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            token: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description the token name; the actor of its events is api:<name> */
              name: string;
              /** @enum {string} */
              role: 'admin' | 'viewer';
              /** @description send it in the x-csrf-token header on every change */
              csrfToken: string;
              /** Format: date-time */
              expiresAt: string;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the request body is larger than allowed */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the body is not JSON (Content-Type: application/json) */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    /** Log out: ends the session and clears its cookies */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description logged out */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List databases: filtered, sorted, one page at a time, with the total */
    get: {
      parameters: {
        query?: {
          type?: 'individual' | 'team';
          owner?: string;
          team?: string;
          status?: 'active' | 'archived' | 'dropped';
          /** @description part of the database name */
          search?: string;
          sort?: 'name' | 'size' | 'lastAccessed' | 'createdAt';
          order?: 'asc' | 'desc';
          limit?: number;
          offset?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                name: string;
                /** @description the server of the pool it is on (docs/servers.md) */
                server: string;
                /** @enum {string} */
                type: 'individual' | 'team';
                owner: string | null;
                ownerId: string | null;
                team: string | null;
                /** @enum {string} */
                status: 'active' | 'archived' | 'dropped';
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                lastAccessed: string | null;
                users: number;
                activeAttachments: number;
                sizeBytes: number | null;
                idleDays: number | null;
                connectionsAllowed: boolean | null;
              }[];
              /** @description databases matching the filters, over all pages */
              total: number;
              limit: number;
              offset: number;
              /** @description servers of the pool that could not be read: their rows are missing */
              unreachable: {
                server: string;
                /** @description what failed, naming host:port (never a password) */
                reason: string;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    /** Create (or ensure) an individual or team database; with `credential`, also a login for one workspace, shown once */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @enum {string} */
            type: 'individual' | 'team';
            /** @description Coder username (individual databases) */
            owner?: string;
            /** @description the owner's Coder user id */
            ownerId?: string;
            /** @description team name (team databases) */
            team?: string;
            /** @description a database to copy when this creates the database */
            seedFrom?: string;
            credential?: {
              workspaceId: string;
              workspaceName?: string;
              template?: string;
              /** @enum {string} */
              access?: 'write' | 'read';
              /** @description whose credential, for a team database (Coder username) */
              owner?: string;
            };
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              database: {
                name: string;
                /** @description the server of the pool it is on (docs/servers.md) */
                server: string;
                /** @enum {string} */
                type: 'individual' | 'team';
                owner: string | null;
                ownerId: string | null;
                team: string | null;
                /** @enum {string} */
                status: 'active' | 'archived' | 'dropped';
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                lastAccessed: string | null;
                users: number;
                activeAttachments: number;
                sizeBytes: number | null;
                idleDays: number | null;
              };
              created: boolean;
              repaired: string[];
            };
          };
        };
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              database: {
                name: string;
                /** @description the server of the pool it is on (docs/servers.md) */
                server: string;
                /** @enum {string} */
                type: 'individual' | 'team';
                owner: string | null;
                ownerId: string | null;
                team: string | null;
                /** @enum {string} */
                status: 'active' | 'archived' | 'dropped';
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                lastAccessed: string | null;
                users: number;
                activeAttachments: number;
                sizeBytes: number | null;
                idleDays: number | null;
              };
              created: boolean;
              repaired: string[];
              credential?: {
                workspaceId: string;
                user: string;
                /** @description shown in this response only: DevDB keeps a verifier */
                password: string;
                host: string;
                port: number;
                /** @description postgresql:// URL without the password */
                url: string;
                sslmode?: string;
                /** @enum {string} */
                access: 'write' | 'read';
                env: {
                  [key: string]: string;
                };
              };
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description conflicts with the current state (in use, already exists, archived, …) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the request body is larger than allowed */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the body is not JSON (Content-Type: application/json) */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One database: users, attachments, recent events */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              database: {
                name: string;
                /** @description the server of the pool it is on (docs/servers.md) */
                server: string;
                /** @enum {string} */
                type: 'individual' | 'team';
                owner: string | null;
                ownerId: string | null;
                team: string | null;
                /** @enum {string} */
                status: 'active' | 'archived' | 'dropped';
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                lastAccessed: string | null;
                users: number;
                activeAttachments: number;
                sizeBytes: number | null;
                idleDays: number | null;
              };
              users: {
                username: string;
                /** @enum {string} */
                accessLevel: 'owner' | 'write' | 'read';
                /** Format: date-time */
                grantedAt: string;
              }[];
              attachments: {
                workspaceId: string;
                workspaceName: string | null;
                owner: string;
                /** @description the workspace's login role */
                user: string;
                template: string | null;
                /** Format: date-time */
                attachedAt: string;
                /** Format: date-time */
                detachedAt: string | null;
                /** Format: date-time */
                lastSeenAt: string | null;
              }[];
              recentEvents: {
                /** Format: date-time */
                at: string;
                actor: string;
                action: string;
                workspaceId: string | null;
                detail: {
                  [key: string]: unknown;
                };
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}/stats': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A database's live numbers: size, connections, sessions, last access, state */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              name: string;
              /** @enum {string} */
              status: 'active' | 'archived' | 'dropped';
              exists: boolean;
              sizeBytes: number | null;
              connections: number;
              sessions: number | null;
              transactionsCommitted: number | null;
              /** Format: date-time */
              statsReset: string | null;
              /** Format: date-time */
              lastAccessed: string | null;
              connectionsAllowed: boolean | null;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}/samples': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The sampler's samples of a database, oldest first (size, client sessions open, counters): its trends over the last `days` */
    get: {
      parameters: {
        query?: {
          days?: number;
        };
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                /** Format: date-time */
                at: string;
                /** @description null until the sampler has measured it */
                sizeBytes: number | null;
                /** Format: date-time */
                sizeAt: string | null;
                /** @description client sessions open at the time */
                connections: number;
                /** @description pg_stat_database's sessions counter (cumulative) */
                sessions: number;
                /** @description transactions committed (cumulative) */
                xactCommit: number;
                /** @description used since the sample before */
                accessed: boolean;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}/attachments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A database's workspace attachments, live and detached */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                workspaceId: string;
                workspaceName: string | null;
                owner: string;
                /** @description the workspace's login role */
                user: string;
                template: string | null;
                /** Format: date-time */
                attachedAt: string;
                /** Format: date-time */
                detachedAt: string | null;
                /** Format: date-time */
                lastSeenAt: string | null;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}/connections': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /** Allow or refuse new connections to a database (closing can also end its sessions) */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            allowed: boolean;
            /**
             * @description when refusing: end the sessions in it too
             * @default false
             */
            terminate?: boolean;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              name: string;
              connectionsAllowed: boolean;
              changed: boolean;
              sessionsTerminated: number;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description conflicts with the current state (in use, already exists, archived, …) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the request body is larger than allowed */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the body is not JSON (Content-Type: application/json) */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}/archive': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Archive a database no workspace is attached to: renamed, closed, restorable */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              name: string;
              /**
               * @description kept: it was not active
               * @enum {string}
               */
              action: 'archived' | 'kept';
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description conflicts with the current state (in use, already exists, archived, …) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}/restore': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Bring an archived database back under its name (backups restore under /api/v1/backups) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              name: string;
              /** @description false: it was not archived */
              restored: boolean;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description conflicts with the current state (in use, already exists, archived, …) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}/slow-queries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A database's statements with the highest mean time (pg_stat_statements) */
    get: {
      parameters: {
        query?: {
          limit?: number;
        };
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              available: boolean;
              howToEnable?: string;
              items: {
                query: string;
                role: string | null;
                calls: number;
                meanMs: number;
                totalMs: number;
                rows: number;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/backups': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the backups of every server of the pool, newest first (of one database: wherever it was, before a move too) */
    get: {
      parameters: {
        query?: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          database?: string;
          status?: 'running' | 'ok' | 'failed';
          limit?: number;
          offset?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                /** @description the backup's id on its server */
                id: number;
                /** @description the server holding the backup (and its registry row) */
                server: string;
                database: string;
                /** @enum {string} */
                kind: 'scheduled' | 'manual' | 'final' | 'pre-restore';
                /** @enum {string} */
                status: 'running' | 'ok' | 'failed';
                file: string;
                encrypted: boolean;
                bytes: number | null;
                sha256: string | null;
                rowCounts: {
                  [key: string]: number;
                } | null;
                serverVersion: string;
                /** Format: date-time */
                startedAt: string;
                /** Format: date-time */
                finishedAt: string | null;
                error: string | null;
                /** Format: date-time */
                verifiedAt: string | null;
                verifyError: string | null;
              }[];
              total: number;
              limit: number;
              offset: number;
              /** @description servers of the pool that could not be read: their rows are missing */
              unreachable: {
                server: string;
                /** @description what failed, naming host:port (never a password) */
                reason: string;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/backups/status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Whether backups can run where DevDB runs: a pg_dump that fits every server of the pool (the newest major), or what to install */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description a pg_dump/pg_restore that fits the server is here */
              canRun: boolean;
              /** @description the server's PostgreSQL major version */
              serverMajor: number;
              /** @description the pg_dump backups use; null: none fits */
              pgDump: {
                path: string;
                major: number;
              } | null;
              /** @description why backups cannot run here, and what to install */
              problem: string | null;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/backups/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One backup */
    get: {
      parameters: {
        query?: {
          /** @description the server holding the backup; needed when several have one of this id */
          server?: string;
        };
        header?: never;
        path: {
          id: number;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description the backup's id on its server */
              id: number;
              /** @description the server holding the backup (and its registry row) */
              server: string;
              database: string;
              /** @enum {string} */
              kind: 'scheduled' | 'manual' | 'final' | 'pre-restore';
              /** @enum {string} */
              status: 'running' | 'ok' | 'failed';
              file: string;
              encrypted: boolean;
              bytes: number | null;
              sha256: string | null;
              rowCounts: {
                [key: string]: number;
              } | null;
              serverVersion: string;
              /** Format: date-time */
              startedAt: string;
              /** Format: date-time */
              finishedAt: string | null;
              error: string | null;
              /** Format: date-time */
              verifiedAt: string | null;
              verifyError: string | null;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description conflicts with the current state (in use, already exists, archived, …) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}/backups': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Back up a database now (pg_dump from one snapshot; encrypted when recipients are set) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description the backup's id on its server */
              id: number;
              /** @description the server holding the backup (and its registry row) */
              server: string;
              database: string;
              /** @enum {string} */
              kind: 'scheduled' | 'manual' | 'final' | 'pre-restore';
              /** @enum {string} */
              status: 'running' | 'ok' | 'failed';
              file: string;
              encrypted: boolean;
              bytes: number | null;
              sha256: string | null;
              rowCounts: {
                [key: string]: number;
              } | null;
              serverVersion: string;
              /** Format: date-time */
              startedAt: string;
              /** Format: date-time */
              finishedAt: string | null;
              error: string | null;
              /** Format: date-time */
              verifiedAt: string | null;
              verifyError: string | null;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description conflicts with the current state (in use, already exists, archived, …) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/backups/{id}/verify': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Verify a backup: checksum, then a trial restore whose row counts must match */
    post: {
      parameters: {
        query?: {
          /** @description the server holding the backup; needed when several have one of this id */
          server?: string;
        };
        header?: never;
        path: {
          id: number;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              id: number;
              /** @description the server holding the backup */
              server: string;
              database: string;
              ok: boolean;
              error: string | null;
              tables: number;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description conflicts with the current state (in use, already exists, archived, …) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/backups/{id}/restore': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Restore a backup into a new database (its own name once dropped, or `as`), or over its database in place after a pre-restore backup */
    post: {
      parameters: {
        query?: {
          /** @description the server holding the backup; needed when several have one of this id */
          server?: string;
        };
        header?: never;
        path: {
          id: number;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @enum {string} */
            mode: 'new' | 'in-place';
            /** @description mode new: the database to create: its own name, or a new team_<team> (never another dev_<user>) */
            as?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description the backup restored */
              id: number;
              /** @description where it was restored: the server holding the backup */
              server: string;
              database: string;
              tables: number;
              /** @description in place: the backup taken just before */
              preRestoreBackupId?: number;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description conflicts with the current state (in use, already exists, archived, …) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the request body is larger than allowed */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the body is not JSON (Content-Type: application/json) */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/summary': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Totals over every server of the pool: databases by type and status, workspaces, users, size; and each server's share */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description over every server of the pool */
              databases: number;
              byType: {
                individual: number;
                team: number;
              };
              byStatus: {
                active: number;
                archived: number;
                dropped: number;
              };
              activeAttachments: number;
              users: number;
              totalSizeBytes: number;
              /** @description snapshots workspaces took (docs/snapshots.md) */
              snapshots: number;
              /** @description their bytes, not in totalSizeBytes */
              snapshotBytes: number;
              neverAccessed: number;
              idleOver30Days: number;
              /** @description each server's share (users count once over the pool) */
              servers: {
                server: string;
                databases: number;
                activeAttachments: number;
                totalSizeBytes: number;
              }[];
              /** @description servers of the pool that could not be read: their rows are missing */
              unreachable: {
                server: string;
                /** @description what failed, naming host:port (never a password) */
                reason: string;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The audit trail of every server of the pool, newest first; the next page passes cursor = nextCursor (or, on one server's, beforeId = nextBeforeId) */
    get: {
      parameters: {
        query?: {
          since?: string;
          until?: string;
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          database?: string;
          /** @description only this actor */
          actor?: string;
          /** @description only this action, or a family by its first part (`backup`) */
          action?: string;
          /** @description only this server's trail */
          server?: string;
          limit?: number;
          /** @description older than this id: ids are per server, so with `server` on a pool of several */
          beforeId?: number;
          /** @description the nextCursor of the previous page */
          cursor?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                /** @description the event's id on its server */
                id: number;
                /** @description the server whose audit trail holds it */
                server: string;
                /** Format: date-time */
                at: string;
                actor: string;
                action: string;
                database: string | null;
                workspaceId: string | null;
                detail: {
                  [key: string]: unknown;
                };
              }[];
              /** @description null on the last page, and on a page of several servers' trails */
              nextBeforeId: number | null;
              /** @description null on the last page */
              nextCursor: string | null;
              /** @description servers of the pool that could not be read: their rows are missing */
              unreachable: {
                server: string;
                /** @description what failed, naming host:port (never a password) */
                reason: string;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/settings': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every setting an admin may change, with its value and default */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                key: string;
                /**
                 * @description what it governs
                 * @enum {string}
                 */
                group:
                  | 'connections'
                  | 'backups'
                  | 'snapshots'
                  | 'policy'
                  | 'webhook'
                  | 'coder'
                  | 'schedules'
                  | 'monitoring';
                /** @description a human name for it */
                label: string;
                /** @enum {string} */
                unit:
                  | 'days'
                  | 'seconds'
                  | 'count'
                  | 'bytes'
                  | 'duration'
                  | 'cron'
                  | 'url'
                  | 'path'
                  | 'text'
                  | 'choice';
                /** @description what a value may be */
                allowed: string;
                /** @description the values a `choice` takes */
                choices?: string[];
                /** @description its value is shown masked (its origin only) */
                secret?: boolean;
                /** @description a policy setting, checked with the others: its name in PATCH /api/v1/policy/settings (PATCH /api/v1/settings passes it on) */
                policyField?: string;
                value: string | null;
                set: boolean;
                default: string | null;
                description: string;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /** Change settings (null restores the default); all or nothing */
    patch: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description the host name in the connection info workspaces get */
            public_host?: string | number | null;
            /** @description the port in the connection info workspaces get */
            public_port?: string | number | null;
            /** @description how long an operation waits for a lock on a database */
            lock_timeout?: string | number | null;
            /** @description how long one step of an operation may run */
            statement_timeout?: string | number | null;
            /** @description seeds of this many bytes or more are copied file by file (FILE_COPY; PostgreSQL 18 clones), smaller ones through the WAL */
            seed_file_copy_min_bytes?: string | number | null;
            /** @description where backups are written on the DevDB host (BACKUP_DIR) */
            backup_dir?: string | number | null;
            /** @description age recipients backups are encrypted to; empty: unencrypted */
            backup_recipients?: string | number | null;
            /** @description daily backups kept per database */
            backup_keep_daily?: string | number | null;
            /** @description weekly backups kept per database */
            backup_keep_weekly?: string | number | null;
            /** @description monthly backups kept per database */
            backup_keep_monthly?: string | number | null;
            /** @description days a final backup (taken before a drop) is kept */
            backup_final_keep_days?: string | number | null;
            /** @description databases the scheduled backups job backs up (and verifies) at the same time */
            backup_concurrency?: string | number | null;
            /** @description a database's newest backup is verified by a trial restore when none was verified within this */
            backup_verify_days?: string | number | null;
            /** @description days without access after which a database is idle (warn) */
            policy_idle_days?: string | number | null;
            /** @description days without access after which a database is stale (review); more than idle */
            policy_stale_days?: string | number | null;
            /** @description days without access after which cleanup may archive a database; more than stale */
            policy_eligible_days?: string | number | null;
            /** @description days an archived database is kept before it may be dropped (after a verified final backup) */
            policy_archive_retention_days?: string | number | null;
            /** @description notify: events and the webhook only; archive: also archive eligible databases and detach deleted workspaces; archive-and-drop: also drop archives past retention after a verified final backup */
            policy_auto_action?: string | number | null;
            /** @description snapshots a database may have (0: workspaces take none) */
            snapshots_per_database?: string | number | null;
            /** @description bytes all snapshots on this server may take together (0: no limit) */
            snapshot_max_bytes?: string | number | null;
            /** @description prune: the database's own oldest snapshots go; refuse: the new one is refused */
            snapshot_limit_action?: string | number | null;
            /** @description how long one copy of a snapshot, restore or reset may run */
            snapshot_statement_timeout?: string | number | null;
            /** @description every policy state change is POSTed here once; none: events only */
            policy_webhook_url?: string | number | null;
            /** @description Coder's URL, for the orphan check (the token stays in CODER_SESSION_TOKEN) */
            coder_url?: string | number | null;
            /** @description seconds to wait for one answer from Coder's REST API */
            coder_timeout_seconds?: string | number | null;
            /** @description when devdb serve runs its sampler job (default: every 5 minutes) */
            schedule_sampler?: string | number | null;
            /** @description when devdb serve runs its policy job (default: hourly) */
            schedule_policy?: string | number | null;
            /** @description when devdb serve runs its backups job (default: daily at 02:00) */
            schedule_backups?: string | number | null;
            /** @description when devdb serve runs its drops job (default: every 10 minutes) */
            schedule_drops?: string | number | null;
            /** @description when devdb serve runs its servers job (default: hourly) */
            schedule_servers?: string | number | null;
            /** @description when devdb serve runs its server_health job (default: every minute) */
            schedule_server_health?: string | number | null;
            /** @description the zone the cron patterns are read in (the same in every serve process) */
            schedule_timezone?: string | number | null;
            /** @description how often each serve process looks for due ticks */
            schedule_poll_seconds?: string | number | null;
            /** @description a running tick's lease: a dead holder's tick is taken over once it expires */
            schedule_lease_seconds?: string | number | null;
            /** @description the sampler's samples (size, sessions) are kept this long, for the charts */
            sample_retention_days?: string | number | null;
            /** @description idle databases whose size one sampler pass re-measures at most (used ones always) */
            sampler_size_budget?: string | number | null;
            /** @description databases above which /metrics has no per-database series, only totals */
            metrics_max_database_labels?: string | number | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                key: string;
                /**
                 * @description what it governs
                 * @enum {string}
                 */
                group:
                  | 'connections'
                  | 'backups'
                  | 'snapshots'
                  | 'policy'
                  | 'webhook'
                  | 'coder'
                  | 'schedules'
                  | 'monitoring';
                /** @description a human name for it */
                label: string;
                /** @enum {string} */
                unit:
                  | 'days'
                  | 'seconds'
                  | 'count'
                  | 'bytes'
                  | 'duration'
                  | 'cron'
                  | 'url'
                  | 'path'
                  | 'text'
                  | 'choice';
                /** @description what a value may be */
                allowed: string;
                /** @description the values a `choice` takes */
                choices?: string[];
                /** @description its value is shown masked (its origin only) */
                secret?: boolean;
                /** @description a policy setting, checked with the others: its name in PATCH /api/v1/policy/settings (PATCH /api/v1/settings passes it on) */
                policyField?: string;
                value: string | null;
                set: boolean;
                default: string | null;
                description: string;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the request body is larger than allowed */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the body is not JSON (Content-Type: application/json) */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    trace?: never;
  };
  '/api/v1/policy/settings': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The policy's thresholds, archive retention, webhook (its origin) and what devdb serve does on its own */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description days without access before idle (30) */
              idleDays: number;
              /** @description … before stale (60) */
              staleDays: number;
              /** @description … before eligible for cleanup (90) */
              eligibleDays: number;
              /** @description days an archive is kept before cleanup drops it (30) */
              archiveRetentionDays: number;
              /** @description its origin only: the path is the secret */
              webhookUrl: string | null;
              /**
               * @description what devdb serve's policy job does on its own: notify (the default), archive, archive-and-drop
               * @enum {string}
               */
              autoAction: 'notify' | 'archive' | 'archive-and-drop';
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /** Change policy settings (null restores the default); the thresholds must stay idle < stale < eligible */
    patch: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            idleDays?: number | null;
            staleDays?: number | null;
            eligibleDays?: number | null;
            archiveRetentionDays?: number | null;
            webhookUrl?: string | null;
            /** @enum {string|null} */
            autoAction?: 'notify' | 'archive' | 'archive-and-drop' | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description days without access before idle (30) */
              idleDays: number;
              /** @description … before stale (60) */
              staleDays: number;
              /** @description … before eligible for cleanup (90) */
              eligibleDays: number;
              /** @description days an archive is kept before cleanup drops it (30) */
              archiveRetentionDays: number;
              /** @description its origin only: the path is the secret */
              webhookUrl: string | null;
              /**
               * @description what devdb serve's policy job does on its own: notify (the default), archive, archive-and-drop
               * @enum {string}
               */
              autoAction: 'notify' | 'archive' | 'archive-and-drop';
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the request body is larger than allowed */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the body is not JSON (Content-Type: application/json) */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    trace?: never;
  };
  '/api/v1/policy': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every database's state in the 30/60/90 policy (active … eligible, archived), on every server of the pool */
    get: {
      parameters: {
        query?: {
          database?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                database: string;
                /** @description the server of the pool it is on (docs/servers.md) */
                server: string;
                /** @enum {string} */
                status: 'active' | 'archived' | 'dropped';
                /** @enum {string} */
                state:
                  'active' | 'idle' | 'stale' | 'eligible' | 'protected' | 'archived' | 'dropped';
                timeState: string | null;
                protected: boolean;
                /** Format: date-time */
                protectedUntil: string | null;
                protectReason: string | null;
                /** Format: date-time */
                lastAccess: string;
                /** Format: date-time */
                lastAccessed: string | null;
                idleDays: number;
                liveAttachments: number;
                /** Format: date-time */
                archivedAt: string | null;
                /** Format: date-time */
                dropDueAt: string | null;
                dropDue: boolean;
              }[];
              /** @description servers of the pool that could not be read: their rows are missing */
              unreachable: {
                server: string;
                /** @description what failed, naming host:port (never a password) */
                reason: string;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}/protection': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /** Protect a database from the policy and cleanup (until a time, or until removed) */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            reason?: string;
            /** Format: date-time */
            until?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              database: string;
              /** @description the server of the pool it is on (docs/servers.md) */
              server: string;
              /** @enum {string} */
              status: 'active' | 'archived' | 'dropped';
              /** @enum {string} */
              state:
                'active' | 'idle' | 'stale' | 'eligible' | 'protected' | 'archived' | 'dropped';
              timeState: string | null;
              protected: boolean;
              /** Format: date-time */
              protectedUntil: string | null;
              protectReason: string | null;
              /** Format: date-time */
              lastAccess: string;
              /** Format: date-time */
              lastAccessed: string | null;
              idleDays: number;
              liveAttachments: number;
              /** Format: date-time */
              archivedAt: string | null;
              /** Format: date-time */
              dropDueAt: string | null;
              dropDue: boolean;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description conflicts with the current state (in use, already exists, archived, …) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the request body is larger than allowed */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the body is not JSON (Content-Type: application/json) */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    post?: never;
    /** End the protection: the policy applies again */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              removed: boolean;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}/sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Live client sessions in the database, per user */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                database: string;
                user: string;
                sessions: number;
                active: number;
                idle: number;
                idleInTransaction: number;
                /** Format: date-time */
                oldestSince: string | null;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    /** End the database's client sessions (one login role's, with ?user=) */
    delete: {
      parameters: {
        query?: {
          user?: string;
        };
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              terminated: number;
              leftRunning: number;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description conflicts with the current state (in use, already exists, archived, …) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/orphans': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The orphans queue: databases whose workspace or owner is gone from Coder, unused ones, what the registry does not know (changes nothing) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              findings: {
                /** @enum {string} */
                kind:
                  | 'workspace-deleted'
                  | 'unknown-workspace'
                  | 'workspace-deleting'
                  | 'workspace-dormant'
                  | 'workspace-stopped'
                  | 'owner-gone'
                  | 'owner-suspended'
                  | 'no-attachments'
                  | 'idle'
                  | 'unregistered'
                  | 'credential-without-workspace';
                /** @description the server whose registry or catalog it was found in */
                server: string;
                database: string | null;
                owner: string | null;
                workspaceId: string | null;
                loginRole: string | null;
                /** Format: date-time */
                lastAccess: string | null;
                status: string;
                detail: string;
              }[];
              skipped: {
                /** @enum {string} */
                kind:
                  | 'workspace-deleted'
                  | 'unknown-workspace'
                  | 'workspace-deleting'
                  | 'workspace-dormant'
                  | 'workspace-stopped'
                  | 'owner-gone'
                  | 'owner-suspended'
                  | 'no-attachments'
                  | 'idle'
                  | 'unregistered'
                  | 'credential-without-workspace';
                reason: string;
              }[];
              /** @description servers of the pool that could not be read: their rows are missing */
              unreachable: {
                server: string;
                /** @description what failed, naming host:port (never a password) */
                reason: string;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description not ready */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/cleanup': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** What cleanup would do now (the dry run): archive, detach, drop, and what it skips */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              now: string;
              /** @description what Coder confirmed deleted, or why no workspace is detached */
              coder: string | null;
              actions: {
                /** @enum {string} */
                kind: 'detach' | 'archive' | 'drop';
                database: string;
                /** @description the server of the pool it is on (docs/servers.md) */
                server: string;
                workspaceId?: string;
                reason: string;
              }[];
              skipped: {
                database: string;
                /** @description the server of the pool it is on (docs/servers.md) */
                server: string;
                workspaceId?: string;
                reason: string;
              }[];
              /** @description servers of the pool that could not be read: their rows are missing */
              unreachable: {
                server: string;
                /** @description what failed, naming host:port (never a password) */
                reason: string;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    /** Run cleanup now: archives, then drops past retention, each drop after a verified final backup (409 while another cleanup runs) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              now: string;
              /** @description what Coder confirmed deleted, or why no workspace is detached */
              coder: string | null;
              actions: {
                /** @enum {string} */
                kind: 'detach' | 'archive' | 'drop';
                database: string;
                /** @description the server of the pool it is on (docs/servers.md) */
                server: string;
                workspaceId?: string;
                reason: string;
              }[];
              skipped: {
                database: string;
                /** @description the server of the pool it is on (docs/servers.md) */
                server: string;
                workspaceId?: string;
                reason: string;
              }[];
              /** @description servers of the pool that could not be read: their rows are missing */
              unreachable: {
                server: string;
                /** @description what failed, naming host:port (never a password) */
                reason: string;
              }[];
              results: {
                action: {
                  /** @enum {string} */
                  kind: 'detach' | 'archive' | 'drop';
                  database: string;
                  /** @description the server of the pool it is on (docs/servers.md) */
                  server: string;
                  workspaceId?: string;
                  reason: string;
                };
                /** @enum {string} */
                outcome: 'done' | 'skipped' | 'failed';
                detail?: string;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description conflicts with the current state (in use, already exists, archived, …) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/snapshots': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the snapshots on every server of the pool, by database, oldest first */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                database: string;
                name: string;
                /** Format: date-time */
                createdAt: string;
                sizeBytes: number;
                /** @description the login role (workspace) or admin that took it */
                createdBy: string;
                /** @description the server of the pool it is on (docs/servers.md) */
                server?: string;
              }[];
              /** @description servers of the pool that could not be read: their rows are missing */
              unreachable: {
                server: string;
                /** @description what failed, naming host:port (never a password) */
                reason: string;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}/snapshots': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A database's snapshots, oldest first */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                database: string;
                name: string;
                /** Format: date-time */
                createdAt: string;
                sizeBytes: number;
                /** @description the login role (workspace) or admin that took it */
                createdBy: string;
                /** @description the server of the pool it is on (docs/servers.md) */
                server?: string;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}/snapshots/{snapshot}/restore': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Put a database back to one of its snapshots under the same name, owner, grants and attachments (its sessions are ended) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
          snapshot: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              database: string;
              restoredFrom: string;
              sessionsEnded: number;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description conflicts with the current state (in use, already exists, archived, …) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/databases/{name}/snapshots/{snapshot}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Delete one snapshot of a database */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description a DevDB database name, e.g. dev_alice or team_frontend */
          name: string;
          snapshot: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              database: string;
              snapshot: string;
              deleted: boolean;
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description conflicts with the current state (in use, already exists, archived, …) */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/healthz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The process is alive */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ok';
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/readyz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Ready to serve: PostgreSQL reachable, migrations current, and the checks serve adds; `degraded` (still 200) when only something DevDB does on its own cannot run (backups without a fitting pg_dump) or a member server of the pool is down */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ready' | 'degraded' | 'not ready';
              checks: {
                name: string;
                ok: boolean;
                detail?: string;
                /** @description failing, it makes the status `degraded`, not `not ready` */
                degradesOnly?: boolean;
              }[];
            };
          };
        };
        /** @description Default Response */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ready' | 'degraded' | 'not ready';
              checks: {
                name: string;
                ok: boolean;
                detail?: string;
                /** @description failing, it makes the status `degraded`, not `not ready` */
                degradesOnly?: boolean;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Prometheus metrics (text format 0.0.4) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Prometheus text exposition format */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/plain': string;
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/agent': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The devdb-agent files this server serves (its own version), by platform, with their sha256; no token needed */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @enum {string} */
              name: 'devdb-agent';
              /** @description this DevDB's version: the agent served is that one */
              version: string;
              artifacts: {
                /** @enum {string} */
                platform: 'node' | 'linux-x64';
                description: string;
                /** @description path of the download on this server */
                url: string;
                /** @description hex digest of the file */
                sha256: string;
                bytes: number;
              }[];
              /** @description platforms this server has no file for, and how to build one */
              notBuilt: {
                /** @enum {string} */
                platform: 'node' | 'linux-x64';
                detail: string;
              }[];
            };
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/agent/{version}/{platform}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Download devdb-agent for a platform (executable as saved); its sha256 is in the X-Checksum-Sha256 header and at …/sha256; no token needed */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description the DevDB version; this server serves its own only, which `current` also names */
          version: string;
          /** @description `node` (the bundle) or `linux-x64` (the single executable) */
          platform: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description the file */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/octet-stream': string;
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/agent/{version}/{platform}/sha256': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The sha256 of a platform’s devdb-agent, in `sha256sum -c` format (`HEX  devdb-agent`); no token needed */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description the DevDB version; this server serves its own only, which `current` also names */
          version: string;
          /** @description `node` (the bundle) or `linux-x64` (the single executable) */
          platform: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description one line: the hex digest, two spaces, devdb-agent */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/plain': string;
          };
        };
        /** @description bad request: invalid JSON, an unknown field or a value out of range */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no valid token or session */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description the token may not do this (viewer), or the CSRF token is missing or wrong */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description no such resource */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description too many failed logins from this address: wait, then try again */
        429: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
        /** @description DevDB could not do it; the message says why */
        500: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                /** @description machine-readable, e.g. not_found, conflict */
                code: string;
                /** @description what went wrong and what to do about it */
                message: string;
              };
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: never;
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
