// Generated from docs/openapi.yaml by scripts/embed-openapi.sh (make openapi): edit the YAML, not this.
// swift-format-ignore-file
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.1.0
info:
  title: Switchyard API
  version: '1'
  summary: The record of a mixed GPU/TPU fleet — scenario, plans, leases, incidents — and the jobs that plan it.
  description: |
    Every request but /healthz, /readyz, /metrics, /openapi.json and /login needs
    `Authorization: Bearer TOKEN`. Reads need the viewer role, writes planner, /v1/tokens admin.
    An optional field sent as null takes its default. Errors are RFC 9457 problem documents (`application/problem+json`); input problems list each
    field's path under `errors`. Lists are pages: pass the `next` you got back as `cursor`.
    Changes to existing things need `If-Match` with the ETag you read. POSTs accept an
    `Idempotency-Key`: the same key and body gives the first response again.
servers:
  - url: http://127.0.0.1:8080
security:
  - bearer: []
tags:
  - name: Operations
  - name: Scenario
  - name: Scenario entities
  - name: Plans
  - name: Leases
  - name: Incidents
  - name: Administration
paths:
  /healthz:
    get:
      operationId: healthz
      tags: [Operations]
      summary: The process is up
      security: []
      responses:
        '200':
          description: Up
          content:
            application/json:
              schema: {type: object, required: [status], properties: {status: {const: ok}}}
  /readyz:
    get:
      operationId: readyz
      tags: [Operations]
      summary: The database answers and its schema is current
      security: []
      responses:
        '200':
          description: Ready
          content:
            application/json:
              schema:
                type: object
                required: [status, database, schemaVersion]
                properties:
                  status: {const: ready}
                  database: {enum: [sqlite, postgres]}
                  schemaVersion: {type: integer}
        '503': {$ref: '#/components/responses/Problem'}
  /metrics:
    get:
      operationId: metrics
      tags: [Operations]
      summary: Prometheus metrics (request latencies, plan job durations, solver time, queue depth)
      security: []
      responses:
        '200':
          description: Text exposition format 0.0.4
          content:
            text/plain:
              schema: {type: string}
  /openapi.json:
    get:
      operationId: openapi
      tags: [Operations]
      summary: This document
      security: []
      responses:
        '200':
          description: OpenAPI 3.1
          content:
            application/json:
              schema: {type: object}
  /v1/scenario:
    get:
      operationId: export-scenario
      tags: [Scenario]
      summary: The scenario being edited, whole, as JSON or YAML (the scenario file format)
      parameters:
        - name: format
          in: query
          schema: {enum: [json, yaml]}
      responses:
        '422': {$ref: '#/components/responses/Problem'}
        '200':
          description: The scenario
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Scenario'}
            application/yaml:
              schema: {$ref: '#/components/schemas/Scenario'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
  /v1/scenarios:
    get:
      operationId: list-scenario-versions
      tags: [Scenario]
      summary: Snapshots of the scenario, newest first
      parameters: [{$ref: '#/components/parameters/limit'}, {$ref: '#/components/parameters/cursorNumber'}]
      responses:
        '200':
          description: One page
          content:
            application/json:
              schema:
                type: object
                required: [items, next]
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/Snapshot'}}
                  next: {type: [string, 'null']}
        '401': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
    post:
      operationId: import-scenario
      tags: [Scenario]
      summary: Replace the scenario with a whole scenario file (JSON, or YAML with Content-Type application/yaml)
      parameters: [{$ref: '#/components/parameters/idempotencyKey'}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Scenario'}
          application/yaml:
            schema: {$ref: '#/components/schemas/Scenario'}
      responses:
        '201':
          description: Imported; a new snapshot unless the scenario is unchanged
          headers:
            Location: {$ref: '#/components/headers/Location'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Snapshot'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /v1/scenarios/{version}:
    get:
      operationId: export-scenario-version
      tags: [Scenario]
      summary: One snapshot, as JSON or YAML
      parameters:
        - name: version
          in: path
          required: true
          schema: {type: integer, minimum: 1}
        - name: format
          in: query
          schema: {enum: [json, yaml]}
      responses:
        '422': {$ref: '#/components/responses/Problem'}
        '200':
          description: The scenario as it was
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Scenario'}
            application/yaml:
              schema: {$ref: '#/components/schemas/Scenario'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
  /v1/providers:
    get:
      operationId: list-providers
      tags: [Scenario entities]
      summary: List providers, by id
      parameters: [{$ref: '#/components/parameters/limit'}, {$ref: '#/components/parameters/cursorId'}]
      responses:
        '200':
          description: One page
          content:
            application/json:
              schema:
                type: object
                required: [items, next]
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/Provider'}}
                  next: {type: [string, 'null']}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
    post:
      operationId: create-providers
      tags: [Scenario entities]
      summary: Add a provider; the whole scenario is checked with it in place
      parameters: [{$ref: '#/components/parameters/idempotencyKey'}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Provider'}
      responses:
        '201':
          description: Created
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
            Location: {$ref: '#/components/headers/Location'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Provider'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /v1/providers/{id}:
    parameters: [{$ref: '#/components/parameters/id'}]
    get:
      operationId: get-providers
      tags: [Scenario entities]
      summary: One provider
      responses:
        '200':
          description: The provider; its ETag is its version
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Provider'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
    put:
      operationId: replace-providers
      tags: [Scenario entities]
      summary: Replace a provider at the version read (If-Match)
      parameters: [{$ref: '#/components/parameters/ifMatch'}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Provider'}
      responses:
        '200':
          description: Replaced
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Provider'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '412': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
        '428': {$ref: '#/components/responses/Problem'}
    delete:
      operationId: delete-providers
      tags: [Scenario entities]
      summary: Delete a provider at the version read, unless the scenario still needs it
      parameters: [{$ref: '#/components/parameters/ifMatch'}]
      responses:
        '204': {description: Deleted}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '412': {$ref: '#/components/responses/Problem'}
        '428': {$ref: '#/components/responses/Problem'}
  /v1/offers:
    get:
      operationId: list-offers
      tags: [Scenario entities]
      summary: List offers, by id
      parameters: [{$ref: '#/components/parameters/limit'}, {$ref: '#/components/parameters/cursorId'}]
      responses:
        '200':
          description: One page
          content:
            application/json:
              schema:
                type: object
                required: [items, next]
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/Offer'}}
                  next: {type: [string, 'null']}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
    post:
      operationId: create-offers
      tags: [Scenario entities]
      summary: Add a offer; the whole scenario is checked with it in place
      parameters: [{$ref: '#/components/parameters/idempotencyKey'}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Offer'}
      responses:
        '201':
          description: Created
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
            Location: {$ref: '#/components/headers/Location'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Offer'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /v1/offers/{id}:
    parameters: [{$ref: '#/components/parameters/id'}]
    get:
      operationId: get-offers
      tags: [Scenario entities]
      summary: One offer
      responses:
        '200':
          description: The offer; its ETag is its version
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Offer'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
    put:
      operationId: replace-offers
      tags: [Scenario entities]
      summary: Replace a offer at the version read (If-Match)
      parameters: [{$ref: '#/components/parameters/ifMatch'}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Offer'}
      responses:
        '200':
          description: Replaced
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Offer'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '412': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
        '428': {$ref: '#/components/responses/Problem'}
    delete:
      operationId: delete-offers
      tags: [Scenario entities]
      summary: Delete a offer at the version read, unless the scenario still needs it
      parameters: [{$ref: '#/components/parameters/ifMatch'}]
      responses:
        '204': {description: Deleted}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '412': {$ref: '#/components/responses/Problem'}
        '428': {$ref: '#/components/responses/Problem'}
  /v1/colocation:
    get:
      operationId: list-colocation
      tags: [Scenario entities]
      summary: List colocation sites, by id
      parameters: [{$ref: '#/components/parameters/limit'}, {$ref: '#/components/parameters/cursorId'}]
      responses:
        '200':
          description: One page
          content:
            application/json:
              schema:
                type: object
                required: [items, next]
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/ColocationSite'}}
                  next: {type: [string, 'null']}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
    post:
      operationId: create-colocation
      tags: [Scenario entities]
      summary: Add a colocation site; the whole scenario is checked with it in place
      parameters: [{$ref: '#/components/parameters/idempotencyKey'}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ColocationSite'}
      responses:
        '201':
          description: Created
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
            Location: {$ref: '#/components/headers/Location'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ColocationSite'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /v1/colocation/{id}:
    parameters: [{$ref: '#/components/parameters/id'}]
    get:
      operationId: get-colocation
      tags: [Scenario entities]
      summary: One colocation site
      responses:
        '200':
          description: The colocation site; its ETag is its version
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ColocationSite'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
    put:
      operationId: replace-colocation
      tags: [Scenario entities]
      summary: Replace a colocation site at the version read (If-Match)
      parameters: [{$ref: '#/components/parameters/ifMatch'}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ColocationSite'}
      responses:
        '200':
          description: Replaced
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ColocationSite'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '412': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
        '428': {$ref: '#/components/responses/Problem'}
    delete:
      operationId: delete-colocation
      tags: [Scenario entities]
      summary: Delete a colocation site at the version read, unless the scenario still needs it
      parameters: [{$ref: '#/components/parameters/ifMatch'}]
      responses:
        '204': {description: Deleted}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '412': {$ref: '#/components/responses/Problem'}
        '428': {$ref: '#/components/responses/Problem'}
  /v1/owned-fleets:
    get:
      operationId: list-owned-fleets
      tags: [Scenario entities]
      summary: List owned fleets, by id
      parameters: [{$ref: '#/components/parameters/limit'}, {$ref: '#/components/parameters/cursorId'}]
      responses:
        '200':
          description: One page
          content:
            application/json:
              schema:
                type: object
                required: [items, next]
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/OwnedFleet'}}
                  next: {type: [string, 'null']}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
    post:
      operationId: create-owned-fleets
      tags: [Scenario entities]
      summary: Add a owned fleet; the whole scenario is checked with it in place
      parameters: [{$ref: '#/components/parameters/idempotencyKey'}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/OwnedFleet'}
      responses:
        '201':
          description: Created
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
            Location: {$ref: '#/components/headers/Location'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/OwnedFleet'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /v1/owned-fleets/{id}:
    parameters: [{$ref: '#/components/parameters/id'}]
    get:
      operationId: get-owned-fleets
      tags: [Scenario entities]
      summary: One owned fleet
      responses:
        '200':
          description: The owned fleet; its ETag is its version
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/OwnedFleet'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
    put:
      operationId: replace-owned-fleets
      tags: [Scenario entities]
      summary: Replace a owned fleet at the version read (If-Match)
      parameters: [{$ref: '#/components/parameters/ifMatch'}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/OwnedFleet'}
      responses:
        '200':
          description: Replaced
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/OwnedFleet'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '412': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
        '428': {$ref: '#/components/responses/Problem'}
    delete:
      operationId: delete-owned-fleets
      tags: [Scenario entities]
      summary: Delete a owned fleet at the version read, unless the scenario still needs it
      parameters: [{$ref: '#/components/parameters/ifMatch'}]
      responses:
        '204': {description: Deleted}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '412': {$ref: '#/components/responses/Problem'}
        '428': {$ref: '#/components/responses/Problem'}
  /v1/workloads:
    get:
      operationId: list-workloads
      tags: [Scenario entities]
      summary: List workloads, by id
      parameters: [{$ref: '#/components/parameters/limit'}, {$ref: '#/components/parameters/cursorId'}]
      responses:
        '200':
          description: One page
          content:
            application/json:
              schema:
                type: object
                required: [items, next]
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/Workload'}}
                  next: {type: [string, 'null']}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
    post:
      operationId: create-workloads
      tags: [Scenario entities]
      summary: Add a workload; the whole scenario is checked with it in place
      parameters: [{$ref: '#/components/parameters/idempotencyKey'}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Workload'}
      responses:
        '201':
          description: Created
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
            Location: {$ref: '#/components/headers/Location'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Workload'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /v1/workloads/{id}:
    parameters: [{$ref: '#/components/parameters/id'}]
    get:
      operationId: get-workloads
      tags: [Scenario entities]
      summary: One workload
      responses:
        '200':
          description: The workload; its ETag is its version
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Workload'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
    put:
      operationId: replace-workloads
      tags: [Scenario entities]
      summary: Replace a workload at the version read (If-Match)
      parameters: [{$ref: '#/components/parameters/ifMatch'}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Workload'}
      responses:
        '200':
          description: Replaced
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Workload'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '412': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
        '428': {$ref: '#/components/responses/Problem'}
    delete:
      operationId: delete-workloads
      tags: [Scenario entities]
      summary: Delete a workload at the version read, unless the scenario still needs it
      parameters: [{$ref: '#/components/parameters/ifMatch'}]
      responses:
        '204': {description: Deleted}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '412': {$ref: '#/components/responses/Problem'}
        '428': {$ref: '#/components/responses/Problem'}
  /v1/offers/{id}/prices:
    get:
      operationId: offer-price-history
      tags: [Scenario entities]
      summary: An offer's prices over time, oldest first
      parameters: [{$ref: '#/components/parameters/id'}]
      responses:
        '200':
          description: Every price change
          content:
            application/json:
              schema:
                type: object
                required: [items, next]
                properties:
                  items:
                    type: array
                    items:
                      type: object
                      required: [recordedAt, actor, terms]
                      properties:
                        recordedAt: {type: string, format: date-time}
                        actor: {type: string}
                        terms:
                          type: object
                          properties:
                            prices: {$ref: '#/components/schemas/Prices'}
                            backup: {$ref: '#/components/schemas/Backup'}
                  next: {type: 'null'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
  /v1/plans:
    get:
      operationId: list-plans
      tags: [Plans]
      summary: Plans, newest first
      parameters: [{$ref: '#/components/parameters/limit'}, {$ref: '#/components/parameters/cursorTimeAndId'}]
      responses:
        '200':
          description: One page
          content:
            application/json:
              schema:
                type: object
                required: [items, next]
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/PlanSummary'}}
                  next: {type: [string, 'null']}
        '401': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
    post:
      operationId: start-plan
      tags: [Plans]
      summary: Snapshot the scenario and start a plan job; poll the job at Location
      description: >-
        With `whatIf`, the job plans the snapshot with those changes made (the scenario stays as
        it is): the plan's `whatIf` lists them, it is compared with the current plan, and it cannot
        be accepted (409). A change that does not apply to the scenario (an unknown offer, a cap
        outside (0, 1]) is refused with 422, naming the field.
      parameters: [{$ref: '#/components/parameters/idempotencyKey'}]
      requestBody:
        required: false
        content:
          application/json:
            schema: {$ref: '#/components/schemas/PlanRequest'}
      responses:
        '202':
          description: Queued
          headers:
            Location: {$ref: '#/components/headers/Location'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Job'}
          links:
            job:
              operationId: get-job
              parameters: {id: '$response.body#/id'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
        '429': {$ref: '#/components/responses/TooManyJobs'}
  /v1/jobs/{id}:
    get:
      operationId: get-job
      tags: [Plans]
      summary: A plan or re-plan job; `plan` links its plan once it succeeded
      parameters: [{$ref: '#/components/parameters/id'}]
      responses:
        '200':
          description: The job
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Job'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
  /v1/plans/{id}:
    get:
      operationId: get-plan
      tags: [Plans]
      summary: A plan with the planner's whole answer (leases, allocation, costs, shares, N-1, marginal values)
      parameters: [{$ref: '#/components/parameters/id'}]
      responses:
        '200':
          description: The plan
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema:
                allOf:
                  - {$ref: '#/components/schemas/PlanSummary'}
                  - type: object
                    required: [plan]
                    properties:
                      plan: {type: object, description: The planner's Plan as documented in docs/planner.md}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
  /v1/plans/{id}/risk:
    post:
      operationId: analyse-plan-risk
      tags: [Plans]
      summary: Queue a risk analysis of the plan (sampled supply futures, as `switchyard risk`)
      description: >-
        Draws `samples` futures from the scenario's `risk` section with `seed`, re-plans each
        incident (each within `timeLimitSeconds`) and simulates the result, as `switchyard risk`
        does. The job's result is listed by GET on the same path. 404 for an unknown plan, 429
        when the queue is full.
      parameters: [{$ref: '#/components/parameters/id'}, {$ref: '#/components/parameters/idempotencyKey'}]
      requestBody:
        required: false
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties:
                samples: {type: integer, minimum: 1, maximum: 10000, default: 200}
                seed: {type: integer, minimum: 0, default: 1}
                timeLimitSeconds: {type: number, exclusiveMinimum: 0, description: Each re-plan's time limit; at most the server's plan time limit (its default)}
                relativeGap: {type: number, minimum: 0, maximum: 1, description: 'Accepted and ignored (re-plans stop at 2%, where sampling error dwarfs the difference)'}
      responses:
        '202':
          description: Queued
          headers:
            Location: {$ref: '#/components/headers/Location'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Job'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
        '429': {$ref: '#/components/responses/Problem'}
    get:
      operationId: list-plan-risk
      tags: [Plans]
      summary: The plan's risk analyses, newest first
      parameters: [{$ref: '#/components/parameters/id'}]
      responses:
        '200':
          description: The analyses
          content:
            application/json:
              schema:
                type: object
                required: [items, next]
                properties:
                  next: {type: 'null'}
                  items:
                    type: array
                    items:
                      type: object
                      required: [id, plan, job, samples, seed, createdAt, summary]
                      properties:
                        id: {type: string}
                        plan: {type: string}
                        job: {type: string}
                        samples: {type: integer}
                        seed: {type: integer}
                        createdAt: {type: string, format: date-time}
                        summary: {type: object, description: 'The RiskSummary, as `switchyard risk --format json` writes it: per run P(on time) with its interval, services, cost mean/p50/p95/CVaR95, attribution'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
  /v1/plans/{id}/export/{target}:
    get:
      operationId: export-plan
      tags: [Plans]
      summary: The plan as Kueue manifests for one month, or as SkyPilot tasks, in one YAML stream
      description: >-
        `kueue`: the files `switchyard export kueue --month` writes (the manager's objects, then
        each worker cluster's), `skypilot`: a task per training run (`switchyard export skypilot`).
        Each file's documents follow a `# file: PATH` comment; documents are separated by `---`.
        docs/export.md maps each plan field to each manifest field. 404 for another target.
      parameters:
        - {$ref: '#/components/parameters/id'}
        - name: target
          in: path
          required: true
          schema: {type: string, enum: [kueue, skypilot]}
        - name: month
          in: query
          description: For kueue, the month (YYYY-MM) within the plan's horizon; its first month when absent.
          schema: {type: string, pattern: '^[0-9]{4}-[0-9]{2}$'}
      responses:
        '200':
          description: A YAML stream
          content:
            application/yaml:
              schema: {type: string}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /v1/plans/{id}/accept:
    post:
      operationId: accept-plan
      tags: [Plans]
      summary: Accept a plan, superseding the one accepted before it
      description: >-
        The plan's leases are covered first by signed leases (of any plan), then by the proposed
        leases of the plan it supersedes (carried over whole), and the rest are proposed anew
        (`leases`). The superseded plan's proposed leases this plan does not need are withdrawn.
        409 when the plan is not ready (accepted or superseded already) or when the live leases
        of an offer would exceed its available nodes in some month (the detail names the offer
        and month).
      parameters: [{$ref: '#/components/parameters/id'}, {$ref: '#/components/parameters/ifMatchOptional'}, {$ref: '#/components/parameters/idempotencyKey'}]
      responses:
        '200':
          description: Accepted
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema:
                type: object
                required: [plan, leases, carried, withdrawn, superseded]
                properties:
                  plan: {$ref: '#/components/schemas/PlanSummary'}
                  leases: {type: array, description: Leases proposed anew, items: {$ref: '#/components/schemas/Lease'}}
                  carried: {type: array, description: The superseded plan's proposed leases, now this plan's, items: {$ref: '#/components/schemas/Lease'}}
                  withdrawn: {type: array, description: The superseded plan's proposed leases this plan does not need, items: {$ref: '#/components/schemas/Lease'}}
                  superseded: {type: array, description: Ids of the plans this one superseded, items: {type: string}}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '412': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /v1/plans/{id}/reject:
    post:
      operationId: reject-plan
      tags: [Plans]
      summary: Set a ready plan aside (a re-plan not taken, a what-if looked at)
      description: >-
        The plan is kept, state `rejected`, and is never accepted; the reason (optional) is in the
        audit log with who rejected it. 409 when the plan is not ready (an accepted plan is
        replaced by accepting another).
      parameters: [{$ref: '#/components/parameters/id'}, {$ref: '#/components/parameters/ifMatchOptional'}, {$ref: '#/components/parameters/idempotencyKey'}]
      requestBody:
        required: false
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties:
                reason: {type: string, description: Why, for the audit log}
      responses:
        '200':
          description: Rejected
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/PlanSummary'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '412': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /v1/leases:
    get:
      operationId: list-leases
      tags: [Leases]
      summary: Leases by id, optionally in one state
      parameters:
        - {$ref: '#/components/parameters/limit'}
        - {$ref: '#/components/parameters/cursorId'}
        - name: state
          in: query
          schema: {$ref: '#/components/schemas/LeaseState'}
      responses:
        '200':
          description: One page
          content:
            application/json:
              schema:
                type: object
                required: [items, next]
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/Lease'}}
                  next: {type: [string, 'null']}
        '401': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /v1/leases/{id}:
    get:
      operationId: get-lease
      tags: [Leases]
      summary: A lease and its history
      parameters: [{$ref: '#/components/parameters/id'}]
      responses:
        '200':
          description: The lease
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Lease'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
  /v1/leases/{id}/transitions:
    post:
      operationId: move-lease
      tags: [Leases]
      summary: Move a lease through its lifecycle (proposed → signed → provisioning → active → ended; withdrawn, breached, terminated)
      parameters: [{$ref: '#/components/parameters/id'}, {$ref: '#/components/parameters/ifMatch'}, {$ref: '#/components/parameters/idempotencyKey'}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [to]
              properties:
                to: {$ref: '#/components/schemas/LeaseState'}
                note: {type: [string, 'null']}
      responses:
        '200':
          description: Moved
          headers:
            ETag: {$ref: '#/components/headers/ETag'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Lease'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '412': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
        '428': {$ref: '#/components/responses/Problem'}
  /v1/incidents:
    get:
      operationId: list-incidents
      tags: [Incidents]
      summary: Incidents, newest first, with their re-plans
      parameters: [{$ref: '#/components/parameters/limit'}, {$ref: '#/components/parameters/cursorTimeAndId'}]
      responses:
        '200':
          description: One page
          content:
            application/json:
              schema:
                type: object
                required: [items, next]
                properties:
                  items: {type: array, items: {$ref: '#/components/schemas/Incident'}}
                  next: {type: [string, 'null']}
        '401': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
    post:
      operationId: record-incident
      tags: [Incidents]
      summary: Record an incident against a plan and start its re-plan
      parameters: [{$ref: '#/components/parameters/idempotencyKey'}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [plan, incident]
              properties:
                plan: {type: string}
                incident: {$ref: '#/components/schemas/IncidentDocument'}
                timeLimitSeconds: {type: [number, 'null'], exclusiveMinimum: 0}
                relativeGap: {type: [number, 'null'], minimum: 0, maximum: 1}
      responses:
        '202':
          description: Recorded; the re-plan job is queued
          headers:
            Location: {$ref: '#/components/headers/Location'}
          content:
            application/json:
              schema:
                type: object
                required: [incident, job]
                properties:
                  incident: {$ref: '#/components/schemas/Incident'}
                  job: {$ref: '#/components/schemas/Job'}
          links:
            incident:
              operationId: get-incident
              parameters: {id: '$response.body#/incident/id'}
            job:
              operationId: get-job
              parameters: {id: '$response.body#/job/id'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
        '429': {$ref: '#/components/responses/TooManyJobs'}
  /v1/incidents/{id}:
    get:
      operationId: get-incident
      tags: [Incidents]
      summary: One incident
      parameters: [{$ref: '#/components/parameters/id'}]
      responses:
        '200':
          description: The incident
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Incident'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
  /v1/audit:
    get:
      operationId: audit-log
      tags: [Administration]
      summary: The append-only log of every write, oldest first
      parameters: [{$ref: '#/components/parameters/limit'}, {$ref: '#/components/parameters/cursorNumber'}]
      responses:
        '200':
          description: One page
          content:
            application/json:
              schema:
                type: object
                required: [items, next]
                properties:
                  items:
                    type: array
                    items:
                      type: object
                      required: [seq, at, actor, action, subject, detail]
                      properties:
                        seq: {type: integer}
                        at: {type: string, format: date-time}
                        actor: {type: string}
                        action: {type: string}
                        subject: {type: string}
                        detail: {type: string}
                  next: {type: [string, 'null']}
        '401': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /v1/tokens:
    get:
      operationId: list-tokens
      tags: [Administration]
      summary: Every token, live and revoked (admin); never their secrets
      responses:
        '200':
          description: The tokens
          content:
            application/json:
              schema:
                type: object
                required: [items, next]
                properties:
                  items:
                    type: array
                    items:
                      type: object
                      required: [id, name, role, createdAt, revokedAt]
                      properties:
                        id: {type: string}
                        name: {type: string}
                        role: {enum: [viewer, planner, admin]}
                        createdAt: {type: string, format: date-time}
                        revokedAt: {type: [string, 'null'], format: date-time}
                  next: {type: 'null'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
    post:
      operationId: create-token
      tags: [Administration]
      summary: Create an API token (admin); the secret is shown once
      parameters: [{$ref: '#/components/parameters/idempotencyKey'}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [name, role]
              properties:
                name: {type: string}
                role: {enum: [viewer, planner, admin]}
      responses:
        '201':
          description: Created
          content:
            application/json:
              schema:
                type: object
                required: [id, name, role, token]
                properties:
                  id: {type: string}
                  name: {type: string}
                  role: {enum: [viewer, planner, admin]}
                  token: {type: string}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /v1/tokens/{id}:
    delete:
      operationId: revoke-token
      tags: [Administration]
      summary: Revoke a live token (admin); this server refuses it at once, others within 5 s
      parameters: [{$ref: '#/components/parameters/id'}]
      responses:
        '204': {description: Revoked}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
  headers:
    ETag:
      description: The version, quoted
      schema: {type: string}
    Location:
      description: Where the new thing is
      schema: {type: string}
  parameters:
    id:
      name: id
      in: path
      required: true
      schema: {type: string}
    limit:
      name: limit
      in: query
      description: Items per page, 1 to 200 (50 by default)
      schema: {type: integer, minimum: 1, maximum: 200}
    cursorNumber:
      name: cursor
      in: query
      description: The `next` of the previous page (a sequence number)
      schema: {type: string, pattern: '^[0-9]{1,18}$'}
    cursorTimeAndId:
      name: cursor
      in: query
      description: The `next` of the previous page (a time in milliseconds and an id)
      schema: {type: string, pattern: '^[0-9]{1,18}_[A-Za-z0-9._~-]+$'}
    cursorId:
      name: cursor
      in: query
      description: The `next` of the previous page (an id)
      schema: {type: string, pattern: '^[A-Za-z0-9._~-]+$'}
    ifMatch:
      name: If-Match
      in: header
      required: true
      description: The ETag you read (`*` for any version; a weak tag never matches)
      schema: {type: string, pattern: '^[ \t]*(\*|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)[ \t]*$'}
    ifMatchOptional:
      name: If-Match
      in: header
      required: false
      description: The ETag you read (`*` for any version; a weak tag never matches)
      schema: {type: string, pattern: '^[ \t]*(\*|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)[ \t]*$'}
    idempotencyKey:
      name: Idempotency-Key
      in: header
      required: false
      description: Repeat the request safely; the same key with the same body gives the first response again
      schema: {type: string, minLength: 1, maxLength: 255}
  responses:
    Problem:
      description: An RFC 9457 problem
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
    TooManyJobs:
      description: 'The job queue is full: for this token (--max-queued-jobs-per-token) or in all (--max-queued-jobs); nothing was queued'
      headers:
        Retry-After:
          description: Seconds to wait; the plan time limit, the longest a running job holds its place
          schema: {type: integer, minimum: 1}
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
  schemas:
    Problem:
      type: object
      required: [type, title, status]
      properties:
        type: {type: string}
        title: {type: string}
        status: {type: integer}
        detail: {type: string}
        errors:
          type: array
          items:
            type: object
            required: [path, message]
            properties:
              path: {type: string, description: 'The field, e.g. prices.onDemand'}
              message: {type: string}
              line: {type: integer}
    Id:
      type: string
      minLength: 1
      pattern: '^[A-Za-z0-9._~-]+$'
      not: {enum: ['.', '..']}
      description: URL-safe (RFC 3986 unreserved characters), since ids name things in paths
    Name:
      type: string
      pattern: '^[^\s\x00-\x1f\x7f-\x9f]+$'
      description: 'An identifier that names no resource (a region): non-empty, without spaces or control characters'
    Month:
      type: string
      pattern: '^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])$'
      description: A month, YYYY-MM, from 1970
    Provider:
      type: object
      additionalProperties: false
      required: [id, kind]
      properties:
        id: {$ref: '#/components/schemas/Id'}
        kind: {enum: [neocloud, hyperscaler, colocation, self]}
        failureProbability: {type: [number, 'null'], minimum: 0, maximum: 1}
    Prices:
      type: object
      additionalProperties: false
      description: USD per accelerator-hour by commitment term; at least one term priced (null is no price). Amounts in USD are 0 or at least 1e-9.
      properties:
        onDemand: {type: [number, 'null'], minimum: 1e-9, exclusiveMaximum: 1e15}
        oneYear: {type: [number, 'null'], minimum: 1e-9, exclusiveMaximum: 1e15}
        threeYear: {type: [number, 'null'], minimum: 1e-9, exclusiveMaximum: 1e15}
      anyOf:
        - {required: [onDemand], properties: {onDemand: {type: number}}}
        - {required: [oneYear], properties: {oneYear: {type: number}}}
        - {required: [threeYear], properties: {threeYear: {type: number}}}
    Backup:
      type: object
      additionalProperties: false
      required: [availableNodes, feePerNodeMonth, exercisePrice]
      properties:
        availableNodes: {type: integer, minimum: 1, maximum: 1000000000000}
        feePerNodeMonth: {type: number, minimum: 0, exclusiveMaximum: 1e15, not: {type: number, exclusiveMinimum: -1e-9, exclusiveMaximum: 1e-9, not: {const: 0}}}
        exercisePrice: {type: number, minimum: 1e-9, exclusiveMaximum: 1e15}
    Offer:
      type: object
      additionalProperties: false
      required: [id, provider, accelerator, acceleratorsPerNode, region, availableNodes, prices]
      properties:
        id: {$ref: '#/components/schemas/Id'}
        provider: {$ref: '#/components/schemas/Id'}
        accelerator: {$ref: '#/components/schemas/Id'}
        acceleratorsPerNode: {type: integer, minimum: 1, maximum: 1000000000000}
        region: {$ref: '#/components/schemas/Name'}
        availableNodes: {type: integer, minimum: 1, maximum: 1000000000000}
        leadTimeDays: {type: [integer, 'null'], minimum: 0, maximum: 1000000000000}
        minimumNodes: {type: [integer, 'null'], minimum: 0, description: At most availableNodes, maximum: 1000000000000}
        prices: {$ref: '#/components/schemas/Prices'}
        backup:
          anyOf: [{$ref: '#/components/schemas/Backup'}, {type: 'null'}]
    ColocationSite:
      type: object
      additionalProperties: false
      required: [id, provider, region, powerKW, pricePerKWMonth]
      properties:
        id: {$ref: '#/components/schemas/Id'}
        provider: {$ref: '#/components/schemas/Id'}
        region: {$ref: '#/components/schemas/Name'}
        powerKW: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 1e15}
        pricePerKWMonth: {type: number, minimum: 0, exclusiveMaximum: 1e15, not: {type: number, exclusiveMinimum: -1e-9, exclusiveMaximum: 1e-9, not: {const: 0}}}
        leadTimeDays: {type: [integer, 'null'], minimum: 0, maximum: 1000000000000}
    OwnedFleet:
      type: object
      additionalProperties: false
      required: [id, accelerator, powerPerAcceleratorW, arrivals]
      properties:
        id: {$ref: '#/components/schemas/Id'}
        accelerator: {$ref: '#/components/schemas/Id'}
        powerPerAcceleratorW: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 1e15}
        arrivals:
          type: array
          minItems: 1
          items:
            type: object
            additionalProperties: false
            required: [month, count]
            properties:
              month: {$ref: '#/components/schemas/Month'}
              count: {type: integer, minimum: 1, maximum: 1000000000000}
        hostableAt: {type: [array, 'null'], items: {$ref: '#/components/schemas/Id'}}
    Workload:
      type: object
      description: An optional field given as null takes its default.
      additionalProperties: false
      required: [id, kind, stacks, window]
      properties:
        id: {$ref: '#/components/schemas/Id'}
        kind:
          enum: [training, batch, service]
          description: 'training: one run, its gang of one model in one cluster; batch: a stream of independent jobs of its gang, anywhere; service: capacity every month, in replicas of its gang'
        work: {type: [number, 'null'], exclusiveMinimum: 0, description: 'Training and batch (required): reference accelerator-hours', exclusiveMaximum: 1e15}
        capacity: {type: [number, 'null'], exclusiveMinimum: 0, description: 'Service (required): reference accelerators every month', exclusiveMaximum: 1e15}
        stacks: {type: array, minItems: 1, items: {type: string}}
        window:
          type: object
          additionalProperties: false
          required: [start, end]
          description: Inside the scenario's horizon; end not before start
          properties:
            start: {$ref: '#/components/schemas/Month'}
            end: {$ref: '#/components/schemas/Month'}
        gang: {type: [integer, 'null'], minimum: 1, description: "A run's size; a batch job's or a service replica's size", maximum: 1000000000000}
        critical: {type: [boolean, 'null']}
        speed:
          type: [object, 'null']
          description: Measured speed relative to the reference accelerator, by accelerator model
          propertyNames: {$ref: '#/components/schemas/Id'}
          additionalProperties: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 1e15}
        profile:
          enum: [pretraining, fine-tuning, prefill, decode, null]
          description: 'What bounds its speed estimate; default by kind (training pretraining, batch fine-tuning, service decode)'
        computeFraction: {type: [number, 'null'], minimum: 0, maximum: 1, description: 'Instead of profile: the share of its H100 time bound by compute'}
      allOf:
        - if: {required: [kind], properties: {kind: {const: service}}}
          then: {required: [capacity], properties: {capacity: {type: number}, work: {type: 'null'}}}
          else: {required: [work], properties: {work: {type: number}, capacity: {type: 'null'}}}
        - not:
            required: [profile, computeFraction]
            properties: {profile: {type: string}, computeFraction: {type: number}}
    Scenario:
      type: object
      description: A whole scenario file; see docs/scenario.md. Ids are unique within each list, and every reference names something the scenario or the catalog has.
      additionalProperties: false
      required: [name, horizon, providers, workloads]
      properties:
        name: {type: string, pattern: '[^\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]', description: Not blank}
        horizon:
          type: object
          additionalProperties: false
          required: [start, months]
          properties:
            start: {$ref: '#/components/schemas/Month'}
            months: {type: integer, minimum: 1, maximum: 120}
        hoursPerMonth: {type: [number, 'null'], exclusiveMinimum: 0, maximum: 744}
        referenceAccelerator: {anyOf: [{$ref: '#/components/schemas/Id'}, {type: 'null'}]}
        accelerators: {type: [array, 'null'], items: {$ref: '#/components/schemas/AcceleratorSpec'}}
        providers: {type: array, items: {$ref: '#/components/schemas/Provider'}}
        offers: {type: [array, 'null'], items: {$ref: '#/components/schemas/Offer'}}
        colocation: {type: [array, 'null'], items: {$ref: '#/components/schemas/ColocationSite'}}
        ownedFleets: {type: [array, 'null'], items: {$ref: '#/components/schemas/OwnedFleet'}}
        workloads: {type: array, items: {$ref: '#/components/schemas/Workload'}}
        policy: {anyOf: [{$ref: '#/components/schemas/Policy'}, {type: 'null'}]}
      allOf:
        - description: Owned hardware needs a colocation site to be hosted at
          if: {required: [ownedFleets], properties: {ownedFleets: {type: array, minItems: 1}}}
          then: {required: [colocation], properties: {colocation: {type: array, minItems: 1}}}
    AcceleratorSpec:
      type: object
      description: An accelerator model the catalog lacks (docs/catalog.md)
      additionalProperties: false
      required: [id, bf16DenseTFLOPS, hbmGB, hbmTBps, stacks]
      properties:
        id: {$ref: '#/components/schemas/Id'}
        name: {type: [string, 'null']}
        vendor: {type: [string, 'null']}
        bf16DenseTFLOPS: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 1e15}
        fp8DenseTFLOPS: {type: [number, 'null'], exclusiveMaximum: 1e15, exclusiveMinimum: -1e15}
        hbmGB: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 1e15}
        hbmTBps: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 1e15}
        powerW: {type: [number, 'null'], exclusiveMaximum: 1e15, exclusiveMinimum: -1e15}
        scaleUpDomain: {type: [integer, 'null'], minimum: 1, maximum: 1000000000000}
        stacks: {type: array, minItems: 1, items: {type: string}}
        matmulEfficiency: {type: [number, 'null'], exclusiveMinimum: 0, maximum: 1}
        notes: {type: [string, 'null']}
        source: {type: [string, 'null']}
    Policy:
      type: object
      additionalProperties: false
      properties:
        objective: {enum: [minimize-cost, null]}
        maxProviderShare: {type: [number, 'null'], exclusiveMinimum: 0, maximum: 1}
        resilience:
          type: [object, 'null']
          additionalProperties: false
          required: [mode]
          properties:
            mode: {enum: [none, n-1]}
            criticalCoverage: {type: [number, 'null'], exclusiveMinimum: 0, maximum: 1}
        budgetUSD: {type: [number, 'null'], minimum: 1e-9, exclusiveMaximum: 1e15}
        allowedRegions: {type: [array, 'null'], minItems: 1, items: {$ref: '#/components/schemas/Name'}}
        shortfallPenaltyPerReferenceHour: {type: [number, 'null'], minimum: 0, exclusiveMaximum: 1e15, not: {type: number, exclusiveMinimum: -1e-9, exclusiveMaximum: 1e-9, not: {const: 0}}}
    Snapshot:
      type: object
      required: [version, name, sha256, source, createdAt, actor, href]
      properties:
        version: {type: integer}
        name: {type: string}
        sha256: {type: string}
        source: {enum: [import, plan]}
        createdAt: {type: string, format: date-time}
        actor: {type: string}
        href: {type: string}
    PlanRequest:
      type: object
      additionalProperties: false
      properties:
        timeLimitSeconds: {type: [number, 'null'], exclusiveMinimum: 0, description: At most the server's limit, exclusiveMaximum: 1e15}
        relativeGap: {type: [number, 'null'], minimum: 0, maximum: 1}
        whatIf: {$ref: '#/components/schemas/WhatIf'}
    WhatIf:
      type: object
      additionalProperties: false
      description: Changes to the scenario planned without being made; at least one
      properties:
        maxProviderShare: {type: number, exclusiveMinimum: 0, maximum: 1, description: The cap on any one provider's share instead of the policy's}
        offers:
          type: array
          items:
            type: object
            additionalProperties: false
            required: [offer]
            properties:
              offer: {type: string, description: An offer of the scenario, changed once}
              priceFactor: {type: number, exclusiveMinimum: 0, maximum: 100, description: 'Every price of the offer (each term''s, and its backup''s) times this'}
              availableNodes: {type: integer, minimum: 0, description: Nodes it makes available instead of its own}
    Job:
      type: object
      required: [id, kind, state, attempts, scenarioVersion, timeLimitSeconds, relativeGap, createdAt, href]
      properties:
        id: {type: string}
        kind: {enum: [plan, replan, risk, risk-part], description: 'A risk analysis with more distinct futures than one job takes is split into risk-part jobs, which any worker may run'}
        state: {enum: [queued, running, succeeded, failed, waiting], description: 'waiting: a risk analysis waits for its parts (then it is queued again to join them)'}
        attempts: {type: integer}
        scenarioVersion: {type: integer}
        timeLimitSeconds: {type: number}
        relativeGap: {type: number}
        basePlan: {type: string}
        incident: {type: string}
        samples: {type: integer, description: 'A risk job: futures to sample (its plan is basePlan)'}
        seed: {type: integer, description: A risk job's sampling seed}
        parent: {type: string, description: 'A risk part: the risk analysis''s job'}
        futures: {type: integer, description: 'A risk part: how many distinct futures it evaluates'}
        parts:
          type: object
          description: 'A risk analysis split into parts: how many, and how many are done'
          required: [total, succeeded, failed]
          properties:
            total: {type: integer}
            succeeded: {type: integer}
            failed: {type: integer}
        createdAt: {type: string, format: date-time}
        startedAt: {type: string, format: date-time}
        finishedAt: {type: string, format: date-time}
        error: {type: string}
        plan: {type: string, description: 'The plan''s id once a plan or re-plan job succeeded (its URL is /v1/plans/{id})'}
        progress:
          type: object
          description: 'A plan or re-plan job''s solve so far, as its worker last wrote it (about once a second while it moves): the best plan and bound on the model being solved (a new round of N-1 loss cases starts its own curve), on the plan''s clock. When the job is done, the last progress, whose curve is the plan''s solver.progress'
          required: [unavoidablePenaltyUSD, points]
          properties:
            seconds: {type: number, description: Seconds since the solve began at the latest point}
            objectiveUSD: {type: number, description: 'The best plan''s objective so far (absent before the first plan)'}
            boundUSD: {type: number, description: The best lower bound so far}
            gap: {type: number, description: '(objective - bound) / (objective - unavoidablePenaltyUSD), as the plan''s gap is measured; absent before there is both a plan and a bound'}
            unavoidablePenaltyUSD: {type: number, description: The shortfall penalty no plan can avoid}
            points:
              type: array
              items:
                type: object
                required: [seconds, step]
                properties:
                  seconds: {type: number}
                  step: {type: string, description: 'The step that moved the plan or the bound (relaxation, rounded, moved, runs-fixed, relax-and-fix, fix-and-optimise, branch-and-cut, improved, bound-search)'}
                  objectiveUSD: {type: number}
                  boundUSD: {type: number}
                  gap: {type: number}
        href: {type: string}
    PlanSummary:
      type: object
      required: [id, state, scenarioVersion, inputSha256, totalCostUSD, job, createdAt, version, href]
      properties:
        id: {type: string}
        state: {enum: [ready, accepted, superseded, rejected]}
        scenarioVersion: {type: integer}
        inputSha256: {type: string, description: SHA-256 of the planned scenario's canonical JSON}
        totalCostUSD: {type: string, description: A decimal number}
        parentPlan: {type: string}
        incident: {type: string}
        job: {type: string}
        createdAt: {type: string, format: date-time}
        acceptedAt: {type: string, format: date-time}
        acceptedBy: {type: string}
        supersededBy: {type: string, description: The plan whose acceptance superseded this one}
        version: {type: integer}
        href: {type: string}
    LeaseState:
      enum: [proposed, signed, provisioning, active, ended, breached, terminated, withdrawn]
    Lease:
      type: object
      required: [id, plan, offer, provider, accelerator, nodes, accelerators, term, start, months, state, next, version]
      properties:
        id: {type: string}
        plan: {type: string}
        offer: {type: string}
        provider: {type: string}
        accelerator: {type: string}
        nodes: {type: integer}
        accelerators: {type: integer}
        term: {enum: [onDemand, oneYear, threeYear]}
        start: {$ref: '#/components/schemas/Month'}
        months: {type: integer}
        pricePerAcceleratorHour: {type: string}
        monthlyCostUSD: {type: string}
        totalCostUSD: {type: string}
        state: {$ref: '#/components/schemas/LeaseState'}
        next: {type: array, items: {$ref: '#/components/schemas/LeaseState'}, description: Where it can go from here}
        version: {type: integer}
        createdAt: {type: string, format: date-time}
        updatedAt: {type: string, format: date-time}
        history:
          type: array
          items:
            type: object
            required: [to, at, actor, note]
            properties:
              from: {$ref: '#/components/schemas/LeaseState'}
              to: {$ref: '#/components/schemas/LeaseState'}
              at: {type: string, format: date-time}
              actor: {type: string}
              note: {type: string}
    IncidentDocument:
      type: object
      additionalProperties: false
      description: The incident file format of `switchyard replan`
      required: [provider, kind, from]
      properties:
        provider: {$ref: '#/components/schemas/Id'}
        kind: {enum: [outage, slip, site-power]}
        from: {$ref: '#/components/schemas/Month'}
        months: {type: [integer, 'null'], minimum: 1, maximum: 1000000000000}
        deliveredFraction: {type: [number, 'null'], minimum: 0, maximum: 1}
        site: {anyOf: [{$ref: '#/components/schemas/Id'}, {type: 'null'}]}
      allOf:
        - description: A slip says how many months late
          if: {required: [kind], properties: {kind: {const: slip}}}
          then: {required: [months], properties: {months: {type: integer}}}
        - description: A site-power incident names the site (of the provider)
          if: {required: [kind], properties: {kind: {const: site-power}}}
          then: {required: [site], properties: {site: {type: string}}}
    Incident:
      type: object
      required: [id, plan, summary, job, createdAt, actor, replan, href, incident]
      properties:
        id: {type: string}
        plan: {type: string}
        summary: {type: string}
        job: {type: string}
        createdAt: {type: string, format: date-time}
        actor: {type: string}
        replan: {type: [string, 'null'], description: The re-plan's id once its job finished}
        href: {type: string}
        incident: {$ref: '#/components/schemas/IncidentDocument'}
"""#
}
