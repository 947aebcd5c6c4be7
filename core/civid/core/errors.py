"""Domain errors with stable, machine-readable codes.

Every failure the core can report has one code from :class:`ErrorCode`. The codes are part of the
public contract: the CLI prints them, the services map them to google.rpc.ErrorInfo reasons, and
integrators match on them. Never rename one; add new ones.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # JSON-LD / safe mode (VC Data Integrity §2.4.3)
    UNKNOWN_CONTEXT = "UNKNOWN_CONTEXT"
    INVALID_CONTEXT = "INVALID_CONTEXT"
    CONTEXT_ORDER = "CONTEXT_ORDER"  # credentials v2 must come first
    UNDEFINED_TERM = "UNDEFINED_TERM"
    RELATIVE_IRI = "RELATIVE_IRI"
    PROTECTED_TERM_REDEFINITION = "PROTECTED_TERM_REDEFINITION"
    JSONLD_ERROR = "JSONLD_ERROR"
    # canonicalization
    POISON_GRAPH = "POISON_GRAPH"
    UNSUPPORTED_CHARACTER = "UNSUPPORTED_CHARACTER"
    # documents
    MALFORMED_DOCUMENT = "MALFORMED_DOCUMENT"
    MISSING_PROOF = "MISSING_PROOF"
    # proofs
    UNSUPPORTED_CRYPTOSUITE = "UNSUPPORTED_CRYPTOSUITE"
    MALFORMED_PROOF = "MALFORMED_PROOF"
    INVALID_PROOF_VALUE_ENCODING = "INVALID_PROOF_VALUE_ENCODING"
    INVALID_SIGNATURE = "INVALID_SIGNATURE"
    WRONG_PROOF_PURPOSE = "WRONG_PROOF_PURPOSE"
    PROOF_EXPIRED = "PROOF_EXPIRED"
    PROOF_CONTEXT_MISMATCH = "PROOF_CONTEXT_MISMATCH"
    PREVIOUS_PROOF_NOT_FOUND = "PREVIOUS_PROOF_NOT_FOUND"
    # keys and DIDs
    INVALID_KEY = "INVALID_KEY"
    INVALID_DID = "INVALID_DID"
    DID_NOT_RESOLVED = "DID_NOT_RESOLVED"
    VERIFICATION_METHOD_NOT_FOUND = "VERIFICATION_METHOD_NOT_FOUND"
    VERIFICATION_METHOD_NOT_AUTHORIZED = "VERIFICATION_METHOD_NOT_AUTHORIZED"
    ISSUER_MISMATCH = "ISSUER_MISMATCH"
    # credentials and presentations
    NOT_A_CREDENTIAL = "NOT_A_CREDENTIAL"
    NOT_A_PRESENTATION = "NOT_A_PRESENTATION"
    NOT_YET_VALID = "NOT_YET_VALID"
    EXPIRED = "EXPIRED"
    INVALID_DATETIME = "INVALID_DATETIME"
    CHALLENGE_MISMATCH = "CHALLENGE_MISMATCH"
    DOMAIN_MISMATCH = "DOMAIN_MISMATCH"
    HOLDER_MISMATCH = "HOLDER_MISMATCH"  # VP signer is not the holder
    SUBJECT_NOT_HOLDER = "SUBJECT_NOT_HOLDER"  # a VC's credentialSubject.id is not the holder
    # status lists
    STATUS_LIST_INVALID = "STATUS_LIST_INVALID"
    STATUS_LIST_NOT_FOUND = "STATUS_LIST_NOT_FOUND"
    STATUS_INDEX_OUT_OF_RANGE = "STATUS_INDEX_OUT_OF_RANGE"
    STATUS_PURPOSE_MISMATCH = "STATUS_PURPOSE_MISMATCH"
    REVOKED = "REVOKED"
    SUSPENDED = "SUSPENDED"
    STATUS_UNAVAILABLE = "STATUS_UNAVAILABLE"
    # trust and policy (verifier)
    UNTRUSTED_ISSUER = "UNTRUSTED_ISSUER"
    CREDENTIAL_TYPE_NOT_ACCEPTED = "CREDENTIAL_TYPE_NOT_ACCEPTED"
    SCHEMA_MISMATCH = "SCHEMA_MISMATCH"
    CLAIM_MISSING = "CLAIM_MISSING"
    CREDENTIAL_TOO_OLD = "CREDENTIAL_TOO_OLD"
    NONCE_ALREADY_USED = "NONCE_ALREADY_USED"
    NONCE_UNKNOWN = "NONCE_UNKNOWN"
    PRESENTATION_TOO_OLD = "PRESENTATION_TOO_OLD"  # its proof was created before the policy's window
    PRESENTATION_CREATED_IN_FUTURE = "PRESENTATION_CREATED_IN_FUTURE"  # beyond the clock skew allowed
    # issuer registry and storage
    INVALID_NATIONAL_ID = "INVALID_NATIONAL_ID"
    INVALID_LASER_CODE = "INVALID_LASER_CODE"
    INVALID_RECORD = "INVALID_RECORD"  # a registry record or stored row is malformed
    INVALID_PHOTO = "INVALID_PHOTO"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INVALID_STATE = "INVALID_STATE"  # the record is not in a state that allows this change
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"  # same idempotency key, different request
    STATUS_LIST_FULL = "STATUS_LIST_FULL"
    SLOT_FULL = "SLOT_FULL"
    STORAGE_CONFIG = "STORAGE_CONFIG"  # unusable database URL or data directory
    # wallet store (PIN, lockout, backups)
    INVALID_PIN = "INVALID_PIN"  # not exactly 6 digits, or trivially weak
    WRONG_PIN = "WRONG_PIN"
    PIN_RETRY_TOO_SOON = "PIN_RETRY_TOO_SOON"  # the delay after a wrong PIN has not passed yet
    STORE_LOCKED = "STORE_LOCKED"  # too many wrong PINs: locked for hours
    STORE_CORRUPTED = "STORE_CORRUPTED"  # the store file was modified or damaged
    WRONG_PASSPHRASE = "WRONG_PASSPHRASE"  # a backup's passphrase (or PIN) is not the one it was made with
    BACKUP_CORRUPTED = "BACKUP_CORRUPTED"
    INVALID_SETTING = "INVALID_SETTING"  # an unusable wallet setting (empty address, unknown language)
    # face matching (issuer enrollment)
    FACE_REJECTED = "FACE_REJECTED"  # the photo cannot be used: the FaceReason says why
    FACE_MODEL_UNAVAILABLE = "FACE_MODEL_UNAVAILABLE"  # a model file is missing or unusable (start-up)
    FACE_TEMPLATE_INVALID = "FACE_TEMPLATE_INVALID"  # malformed, or made by another backend/model
    # issuer services (enrollment, holder proofs, officers, request limits)
    ENROLLMENT_FAILED = "ENROLLMENT_FAILED"
    ATTEMPTS_EXHAUSTED = "ATTEMPTS_EXHAUSTED"
    ENROLLMENT_LOCKED = "ENROLLMENT_LOCKED"
    ENROLLMENT_EXPIRED = "ENROLLMENT_EXPIRED"
    HOLDER_PROOF_INVALID = "HOLDER_PROOF_INVALID"
    HOLDER_NOT_ENROLLED = "HOLDER_NOT_ENROLLED"
    NOT_HOUSE_OWNER = "NOT_HOUSE_OWNER"  # the signer is not the owner of the house (a forged consent)
    OFFICER_UNAUTHENTICATED = "OFFICER_UNAUTHENTICATED"
    OFFICER_NOT_PERMITTED = "OFFICER_NOT_PERMITTED"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    FIELD_INVALID = "FIELD_INVALID"
    OVERLOADED = "OVERLOADED"
    # wallet clients (a remote service could not be reached or answered with an unknown reason)
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    SERVICE_ERROR = "SERVICE_ERROR"
    # presentation requests (the verifier's answers, as the wallet reports them)
    REQUEST_EXPIRED = "REQUEST_EXPIRED"
    REQUEST_NOT_FOUND = "REQUEST_NOT_FOUND"


class CividError(Exception):
    """A failure with a stable code and a message a person can act on."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"{code.value}: {message}")
        self.code = code
        self.message = message
