// The discovery document of the v1 Operations surface, copied from
// shared/reference/discovery/earthengine.v1.operations-subset.reconstructed.json (rebuilt from the public
// REST reference). The v1beta and v1alpha documents differ only in the version, which
// `DiscoveryDocument.json(for:rootURL:)` substitutes; a test checks that against the reference files.

extension DiscoveryDocument {
    static let v1Template = #"""
{
 "auth": {
  "oauth2": {
   "scopes": {
    "https://www.googleapis.com/auth/cloud-platform": {
     "description": "(reconstructed) Google Cloud Platform scope"
    },
    "https://www.googleapis.com/auth/cloud-platform.read-only": {
     "description": "(reconstructed) Google Cloud Platform read-only scope"
    },
    "https://www.googleapis.com/auth/devstorage.full_control": {
     "description": "(reconstructed) Cloud Storage full control"
    },
    "https://www.googleapis.com/auth/earthengine": {
     "description": "(reconstructed) View and manage your Google Earth Engine data"
    },
    "https://www.googleapis.com/auth/earthengine.readonly": {
     "description": "(reconstructed) View your Google Earth Engine data"
    }
   }
  }
 },
 "basePath": "",
 "baseUrl": "https://earthengine.googleapis.com/",
 "batchPath": "batch",
 "canonicalName": "Earth Engine",
 "description": "RECONSTRUCTED, NOT OFFICIAL: minimal subset (projects.operations + projects.algorithms.list) rebuilt from the public REST reference and the generated JS client of google/earthengine-api, for local emulation. Verified to load in google-api-python-client 2.202.0 and earthengine-api 1.7.50.",
 "discoveryVersion": "v1",
 "documentationLink": "https://developers.google.com/earth-engine/",
 "fullyEncodeReservedExpansion": true,
 "id": "earthengine:v1",
 "kind": "discovery#restDescription",
 "name": "earthengine",
 "ownerDomain": "google.com",
 "ownerName": "Google",
 "parameters": {
  "$.xgafv": {
   "description": "V1 error format.",
   "enum": [
    "1",
    "2"
   ],
   "enumDescriptions": [
    "v1 error format",
    "v2 error format"
   ],
   "location": "query",
   "type": "string"
  },
  "access_token": {
   "description": "OAuth access token.",
   "location": "query",
   "type": "string"
  },
  "alt": {
   "default": "json",
   "description": "Data format for response.",
   "enum": [
    "json",
    "media",
    "proto"
   ],
   "enumDescriptions": [
    "Responses with Content-Type of application/json",
    "Media download with context-dependent Content-Type",
    "Responses with Content-Type of application/x-protobuf"
   ],
   "location": "query",
   "type": "string"
  },
  "callback": {
   "description": "JSONP",
   "location": "query",
   "type": "string"
  },
  "fields": {
   "description": "Selector specifying which fields to include in a partial response.",
   "location": "query",
   "type": "string"
  },
  "key": {
   "description": "API key.",
   "location": "query",
   "type": "string"
  },
  "oauth_token": {
   "description": "OAuth 2.0 token for the current user.",
   "location": "query",
   "type": "string"
  },
  "prettyPrint": {
   "default": "true",
   "description": "Returns response with indentations and line breaks.",
   "location": "query",
   "type": "boolean"
  },
  "quotaUser": {
   "description": "Quota user.",
   "location": "query",
   "type": "string"
  },
  "uploadType": {
   "description": "Legacy upload protocol for media (e.g. \"media\", \"multipart\").",
   "location": "query",
   "type": "string"
  },
  "upload_protocol": {
   "description": "Upload protocol for media (e.g. \"raw\", \"multipart\").",
   "location": "query",
   "type": "string"
  }
 },
 "protocol": "rest",
 "resources": {
  "projects": {
   "resources": {
    "algorithms": {
     "methods": {
      "list": {
       "description": "Gets the list of all the algorithms available for use in Expressions.",
       "flatPath": "v1/projects/{projectsId}/algorithms",
       "httpMethod": "GET",
       "id": "earthengine.projects.algorithms.list",
       "parameterOrder": [
        "parent"
       ],
       "parameters": {
        "parent": {
         "description": "Required. The project id or project number of the Google Cloud Platform project that should be treated as the service consumer for this request. Format is `projects/{project-id}`.",
         "location": "path",
         "pattern": "^projects/[^/]+$",
         "required": true,
         "type": "string"
        }
       },
       "path": "v1/{+parent}/algorithms",
       "response": {
        "$ref": "ListAlgorithmsResponse"
       },
       "scopes": [
        "https://www.googleapis.com/auth/cloud-platform",
        "https://www.googleapis.com/auth/cloud-platform.read-only",
        "https://www.googleapis.com/auth/earthengine",
        "https://www.googleapis.com/auth/earthengine.readonly"
       ]
      }
     }
    },
    "operations": {
     "methods": {
      "cancel": {
       "description": "Starts asynchronous cancellation on a long-running operation. The server makes a best effort to cancel the operation, but success is not guaranteed. If the server doesn't support this method, it returns `google.rpc.Code.UNIMPLEMENTED`. Clients can use Operations.GetOperation or other methods to check whether the cancellation succeeded or whether the operation completed despite cancellation. On successful cancellation, the operation is not deleted; instead, it becomes an operation with an Operation.error value with a google.rpc.Status.code of `1`, corresponding to `Code.CANCELLED`.",
       "flatPath": "v1/projects/{projectsId}/operations/{operationsId}:cancel",
       "httpMethod": "POST",
       "id": "earthengine.projects.operations.cancel",
       "parameterOrder": [
        "name"
       ],
       "parameters": {
        "name": {
         "description": "The name of the operation resource to be cancelled.",
         "location": "path",
         "pattern": "^projects/[^/]+/operations/.*$",
         "required": true,
         "type": "string"
        }
       },
       "path": "v1/{+name}:cancel",
       "request": {
        "$ref": "CancelOperationRequest"
       },
       "response": {
        "$ref": "Empty"
       },
       "scopes": [
        "https://www.googleapis.com/auth/cloud-platform",
        "https://www.googleapis.com/auth/earthengine"
       ]
      },
      "delete": {
       "description": "Deletes a long-running operation. This method indicates that the client is no longer interested in the operation result. It does not cancel the operation. If the server doesn't support this method, it returns `google.rpc.Code.UNIMPLEMENTED`.",
       "flatPath": "v1/projects/{projectsId}/operations/{operationsId}",
       "httpMethod": "DELETE",
       "id": "earthengine.projects.operations.delete",
       "parameterOrder": [
        "name"
       ],
       "parameters": {
        "name": {
         "description": "The name of the operation resource to be deleted.",
         "location": "path",
         "pattern": "^projects/[^/]+/operations/.*$",
         "required": true,
         "type": "string"
        }
       },
       "path": "v1/{+name}",
       "response": {
        "$ref": "Empty"
       },
       "scopes": [
        "https://www.googleapis.com/auth/cloud-platform",
        "https://www.googleapis.com/auth/earthengine"
       ]
      },
      "get": {
       "description": "Gets the latest state of a long-running operation. Clients can use this method to poll the operation result at intervals as recommended by the API service.",
       "flatPath": "v1/projects/{projectsId}/operations/{operationsId}",
       "httpMethod": "GET",
       "id": "earthengine.projects.operations.get",
       "parameterOrder": [
        "name"
       ],
       "parameters": {
        "name": {
         "description": "The name of the operation resource.",
         "location": "path",
         "pattern": "^projects/[^/]+/operations/.*$",
         "required": true,
         "type": "string"
        }
       },
       "path": "v1/{+name}",
       "response": {
        "$ref": "Operation"
       },
       "scopes": [
        "https://www.googleapis.com/auth/cloud-platform",
        "https://www.googleapis.com/auth/earthengine"
       ]
      },
      "list": {
       "description": "Lists operations that match the specified filter in the request. If the server doesn't support this method, it returns `UNIMPLEMENTED`.",
       "flatPath": "v1/projects/{projectsId}/operations",
       "httpMethod": "GET",
       "id": "earthengine.projects.operations.list",
       "parameterOrder": [
        "name"
       ],
       "parameters": {
        "filter": {
         "description": "The standard list filter.",
         "location": "query",
         "type": "string"
        },
        "name": {
         "description": "The name of the operation's parent resource.",
         "location": "path",
         "pattern": "^projects/[^/]+$",
         "required": true,
         "type": "string"
        },
        "pageSize": {
         "description": "The standard list page size.",
         "format": "int32",
         "location": "query",
         "type": "integer"
        },
        "pageToken": {
         "description": "The standard list page token.",
         "location": "query",
         "type": "string"
        }
       },
       "path": "v1/{+name}/operations",
       "response": {
        "$ref": "ListOperationsResponse"
       },
       "scopes": [
        "https://www.googleapis.com/auth/cloud-platform",
        "https://www.googleapis.com/auth/earthengine"
       ]
      },
      "wait": {
       "description": "Waits until the specified long-running operation is done or reaches at most a specified timeout, returning the latest state. If the operation is already done, the latest state is immediately returned. If the timeout specified is greater than the default HTTP/RPC timeout, the HTTP/RPC timeout is used. If the server does not support this method, it returns `google.rpc.Code.UNIMPLEMENTED`. Note that this method is on a best-effort basis. It may return the latest state before the specified timeout (including immediately), meaning even an immediate response is no guarantee that the operation is done.",
       "flatPath": "v1/projects/{projectsId}/operations/{operationsId}:wait",
       "httpMethod": "POST",
       "id": "earthengine.projects.operations.wait",
       "parameterOrder": [
        "name"
       ],
       "parameters": {
        "name": {
         "description": "The name of the operation resource to wait on.",
         "location": "path",
         "pattern": "^projects/[^/]+/operations/.*$",
         "required": true,
         "type": "string"
        }
       },
       "path": "v1/{+name}:wait",
       "request": {
        "$ref": "WaitOperationRequest"
       },
       "response": {
        "$ref": "Operation"
       },
       "scopes": [
        "https://www.googleapis.com/auth/cloud-platform",
        "https://www.googleapis.com/auth/earthengine"
       ]
      }
     }
    }
   }
  }
 },
 "rootUrl": "https://earthengine.googleapis.com/",
 "schemas": {
  "CancelOperationRequest": {
   "description": "The request message for Operations.CancelOperation.",
   "id": "CancelOperationRequest",
   "properties": {},
   "type": "object"
  },
  "Empty": {
   "description": "A generic empty message that you can re-use to avoid defining duplicated empty messages in your APIs.",
   "id": "Empty",
   "properties": {},
   "type": "object"
  },
  "ListAlgorithmsResponse": {
   "description": "All the algorithms available for use in Expressions.",
   "id": "ListAlgorithmsResponse",
   "properties": {
    "algorithms": {
     "description": "A list of the available algorithms.",
     "items": {
      "additionalProperties": {
       "type": "any"
      },
      "type": "object"
     },
     "type": "array"
    }
   },
   "type": "object"
  },
  "ListOperationsResponse": {
   "description": "The response message for Operations.ListOperations.",
   "id": "ListOperationsResponse",
   "properties": {
    "nextPageToken": {
     "description": "The standard List next-page token.",
     "type": "string"
    },
    "operations": {
     "description": "A list of operations that matches the specified filter in the request.",
     "items": {
      "$ref": "Operation"
     },
     "type": "array"
    },
    "unreachable": {
     "description": "Unordered list. Unreachable resources. Populated when the request sets `ListOperationsRequest.return_partial_success` and reads across collections.",
     "items": {
      "type": "string"
     },
     "type": "array"
    }
   },
   "type": "object"
  },
  "Operation": {
   "description": "This resource represents a long-running operation that is the result of a network API call.",
   "id": "Operation",
   "properties": {
    "done": {
     "description": "If the value is `false`, it means the operation is still in progress. If `true`, the operation is completed, and either `error` or `response` is available.",
     "type": "boolean"
    },
    "error": {
     "$ref": "Status",
     "description": "The error result of the operation in case of failure or cancellation."
    },
    "metadata": {
     "additionalProperties": {
      "description": "Properties of the object. Contains field @type with type URL.",
      "type": "any"
     },
     "description": "Service-specific metadata associated with the operation.",
     "type": "object"
    },
    "name": {
     "description": "The server-assigned name, which is only unique within the same service that originally returns it. If you use the default HTTP mapping, the `name` should be a resource name ending with `operations/{unique_id}`.",
     "type": "string"
    },
    "response": {
     "additionalProperties": {
      "description": "Properties of the object. Contains field @type with type URL.",
      "type": "any"
     },
     "description": "The normal, successful response of the operation.",
     "type": "object"
    }
   },
   "type": "object"
  },
  "OperationMetadata": {
   "description": "Metadata describing a long running operation.",
   "id": "OperationMetadata",
   "properties": {
    "attempt": {
     "description": "Current attempt number. If an operation is retried, the attempt number increases.",
     "format": "int32",
     "type": "integer"
    },
    "batchEecuUsageSeconds": {
     "description": "The batch EECU usage of the operation, in EECU-seconds.",
     "format": "double",
     "type": "number"
    },
    "createTime": {
     "description": "Time the operation was created.",
     "format": "google-datetime",
     "type": "string"
    },
    "description": {
     "description": "Description of the operation.",
     "type": "string"
    },
    "destinationUris": {
     "description": "The URI(s) pointing to the resources output by this operation.",
     "items": {
      "type": "string"
     },
     "type": "array"
    },
    "endTime": {
     "description": "Time the operation ended, if the operation has ended.",
     "format": "google-datetime",
     "type": "string"
    },
    "notifications": {
     "description": "Notifications relating to this operation.",
     "items": {
      "$ref": "OperationNotification"
     },
     "type": "array"
    },
    "priority": {
     "description": "Priority of the operation. A higher value indicates a higher priority. The default priority is 100.",
     "format": "int32",
     "type": "integer"
    },
    "progress": {
     "description": "Operation progress, in [0, 1] interval.",
     "format": "double",
     "type": "number"
    },
    "scriptUri": {
     "description": "The URI of the script from which this operation originated, if the operation was started in the Code Editor.",
     "type": "string"
    },
    "stages": {
     "description": "Progress information of the discrete stages for the given operation. Stages, if present, are only for the most recent attempt.",
     "items": {
      "$ref": "OperationStage"
     },
     "type": "array"
    },
    "startTime": {
     "description": "Time the operation started, if the operation has started.",
     "format": "google-datetime",
     "type": "string"
    },
    "state": {
     "description": "State of the operation.",
     "enum": [
      "STATE_UNSPECIFIED",
      "PENDING",
      "RUNNING",
      "CANCELLING",
      "SUCCEEDED",
      "CANCELLED",
      "FAILED"
     ],
     "enumDescriptions": [
      "Unspecified state.",
      "The operation is ready but not yet running.",
      "The operation is running.",
      "The operation has been requested to be cancelled.",
      "The operation has completed successfully.",
      "The operation has been cancelled.",
      "The operation has failed."
     ],
     "type": "string"
    },
    "type": {
     "description": "The type of this task (e.g., EXPORT_IMAGE, EXPORT_FEATURES, etc.).",
     "type": "string"
    },
    "updateTime": {
     "description": "Time the operation was last updated.",
     "format": "google-datetime",
     "type": "string"
    }
   },
   "type": "object"
  },
  "OperationNotification": {
   "description": "A notification relating to an operation.",
   "id": "OperationNotification",
   "properties": {
    "detail": {
     "description": "Detailed text of the notification.",
     "type": "string"
    },
    "severity": {
     "description": "The severity of the notification.",
     "enum": [
      "SEVERITY_UNSPECIFIED",
      "WARNING",
      "SEVERE"
     ],
     "enumDescriptions": [
      "Do not use.",
      "The notification is a warning.",
      "The notification is severe."
     ],
     "type": "string"
    },
    "topic": {
     "description": "Short topic of the notification.",
     "type": "string"
    }
   },
   "type": "object"
  },
  "OperationStage": {
   "description": "Progress information of a discrete stage of an operation.",
   "id": "OperationStage",
   "properties": {
    "completeWorkUnits": {
     "description": "Work completed by this stage.",
     "format": "int32",
     "type": "integer"
    },
    "description": {
     "description": "The description of the stage.",
     "type": "string"
    },
    "displayName": {
     "description": "The display name of the stage.",
     "type": "string"
    },
    "totalWorkUnits": {
     "description": "Total work to be done by this stage.",
     "format": "int32",
     "type": "integer"
    }
   },
   "type": "object"
  },
  "Status": {
   "description": "The `Status` type defines a logical error model that is suitable for different programming environments, including REST APIs and RPC APIs. It is used by gRPC. Each `Status` message contains three pieces of data: error code, error message, and error details.",
   "id": "Status",
   "properties": {
    "code": {
     "description": "The status code, which should be an enum value of google.rpc.Code.",
     "format": "int32",
     "type": "integer"
    },
    "details": {
     "description": "A list of messages that carry the error details. There is a common set of message types for APIs to use.",
     "items": {
      "additionalProperties": {
       "description": "Properties of the object. Contains field @type with type URL.",
       "type": "any"
      },
      "type": "object"
     },
     "type": "array"
    },
    "message": {
     "description": "A developer-facing error message, which should be in English.",
     "type": "string"
    }
   },
   "type": "object"
  },
  "WaitOperationRequest": {
   "description": "The request message for Operations.WaitOperation.",
   "id": "WaitOperationRequest",
   "properties": {
    "timeout": {
     "description": "The maximum duration to wait before timing out. If left blank, the wait will be at most the time permitted by the underlying HTTP/RPC protocol. If RPC context deadline is also specified, the shorter one will be used.",
     "format": "google-duration",
     "type": "string"
    }
   },
   "type": "object"
  }
 },
 "servicePath": "",
 "title": "Google Earth Engine API",
 "version": "v1"
}
"""#
}
