"""Walks the OpenAPI document the server serves: its operations, their path parameters, and
example request bodies built from their schemas. Shared by the tenant-isolation and fuzz tests,
so both cover every documented endpoint without a list of their own. Standard library only."""
import re

METHODS = ("get", "post", "put", "patch", "delete")
PARAMETER = re.compile(r"\{([^}]+)\}")


class Operation:
    def __init__(self, document, path, method, spec):
        self.document = document
        self.path = path
        self.method = method.upper()
        self.spec = spec
        self.role = spec.get("x-costwise-role", "")
        self.parameters = PARAMETER.findall(path)

    @property
    def public(self):
        return self.role == "public"

    @property
    def collection(self):
        """The path before the first path parameter: "/api/ml/anomalies/{id}/feedback" ->
        "/api/ml/anomalies"."""
        return self.path.split("/{", 1)[0]

    def url(self, values):
        """The path with each parameter replaced by values[name] (or values[0], ...)."""
        return PARAMETER.sub(lambda match: str(values[match.group(1)]), self.path)

    def body_schema(self):
        body = self.spec.get("requestBody", {}).get("content", {})
        schema = body.get("application/json", {}).get("schema")
        return resolve(self.document, schema) if schema else None

    def takes_multipart(self):
        return "multipart/form-data" in self.spec.get("requestBody", {}).get("content", {})

    def example_body(self):
        """A body that satisfies the schema's required fields (None when there is no JSON body)."""
        schema = self.body_schema()
        return None if schema is None else example(self.document, schema)

    def __repr__(self):
        return f"{self.method} {self.path}"


def resolve(document, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        node = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def example(document, schema, depth=0):
    """A plausible value of the schema: its example or default, the first enum value, or a value
    of its type with every required property."""
    schema = resolve(document, schema)
    if not isinstance(schema, dict) or depth > 6:
        return None
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    if "enum" in schema:
        return schema["enum"][0]
    for combiner in ("allOf", "oneOf", "anyOf"):
        if combiner in schema:
            merged = {}
            for part in schema[combiner]:
                value = example(document, part, depth + 1)
                if isinstance(value, dict):
                    merged.update(value)
                elif combiner != "allOf":
                    return value
            return merged
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: example(document, properties.get(name, {}), depth + 1)
                for name in schema.get("required", [])}
    if kind == "array":
        return [example(document, schema.get("items", {}), depth + 1)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 1.0)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    # Dates in the future: a snooze or an expiry must end after today.
    formats = {"date": "2099-12-31", "date-time": "2099-12-31T00:00:00Z",
               "email": "someone@example.com", "uri": "http://127.0.0.1:9/hook"}
    return formats.get(schema.get("format"), "x" * max(1, schema.get("minLength", 1)))


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield Operation(document, path, method, item[method])
