"""The RDF, RDFS and OWL terms the OWL 2 RL rules read, as pyoxigraph nodes (made once, compared often)."""

from __future__ import annotations

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _owl(name: str) -> ox.NamedNode:
    return ox.NamedNode(OWL + name)


TYPE = ox.NamedNode(RDF + "type")
FIRST, REST, NIL = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")
SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
SUBPROP = ox.NamedNode(RDFS + "subPropertyOf")
DOMAIN, RANGE = ox.NamedNode(RDFS + "domain"), ox.NamedNode(RDFS + "range")
RDFS_DATATYPE = ox.NamedNode(RDFS + "Datatype")

THING, NOTHING, OWL_CLASS = _owl("Thing"), _owl("Nothing"), _owl("Class")
OBJECT_PROPERTY, DATATYPE_PROPERTY, ANNOTATION_PROPERTY = _owl("ObjectProperty"), _owl("DatatypeProperty"), _owl("AnnotationProperty")
SAME, DIFFERENT = _owl("sameAs"), _owl("differentFrom")
ALLDIFFERENT, DISTINCT_MEMBERS = _owl("AllDifferent"), _owl("distinctMembers")
EQCLASS, EQPROP = _owl("equivalentClass"), _owl("equivalentProperty")
INVERSE = _owl("inverseOf")
SYMMETRIC, TRANSITIVE = _owl("SymmetricProperty"), _owl("TransitiveProperty")
FUNCTIONAL, INVERSE_FUNCTIONAL = _owl("FunctionalProperty"), _owl("InverseFunctionalProperty")
IRREFLEXIVE, ASYMMETRIC, REFLEXIVE = _owl("IrreflexiveProperty"), _owl("AsymmetricProperty"), _owl("ReflexiveProperty")
CHAIN, HASKEY = _owl("propertyChainAxiom"), _owl("hasKey")
PROPERTY_DISJOINT, ALLDISJOINT_PROPERTIES = _owl("propertyDisjointWith"), _owl("AllDisjointProperties")
NEGATIVE_ASSERTION = _owl("NegativePropertyAssertion")
SOURCE, ASSERTION_PROPERTY = _owl("sourceIndividual"), _owl("assertionProperty")
TARGET_INDIVIDUAL, TARGET_VALUE = _owl("targetIndividual"), _owl("targetValue")
ONPROPERTY, HASVALUE = _owl("onProperty"), _owl("hasValue")
SOME, ALL = _owl("someValuesFrom"), _owl("allValuesFrom")
INTERSECTION, UNION, ONEOF, COMPLEMENT = _owl("intersectionOf"), _owl("unionOf"), _owl("oneOf"), _owl("complementOf")
MAXC, MAXQC, ONCLASS = _owl("maxCardinality"), _owl("maxQualifiedCardinality"), _owl("onClass")
DISJOINT, ALLDISJOINT, MEMBERS = _owl("disjointWith"), _owl("AllDisjointClasses"), _owl("members")

# prp-ap: the annotation properties OWL 2 RL declares axiomatically
ANNOTATION_PROPERTIES = tuple(ox.NamedNode(i) for i in (
    RDFS + "label", RDFS + "comment", RDFS + "seeAlso", RDFS + "isDefinedBy", OWL + "deprecated",
    OWL + "versionInfo", OWL + "priorVersion", OWL + "backwardCompatibleWith", OWL + "incompatibleWith"))

# dt-type1: the datatypes of the OWL 2 RL profile
DATATYPES = tuple(ox.NamedNode(i) for i in (
    RDF + "PlainLiteral", RDF + "XMLLiteral", RDFS + "Literal", *(XSD + n for n in (
        "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger", "negativeInteger",
        "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
        "float", "double", "string", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN",
        "boolean", "hexBinary", "base64Binary", "anyURI", "dateTime", "dateTimeStamp"))))

# Triples with these predicates (or typing a property with these characteristics) change what the
# instance rules look up in their tables: when one is inferred, the tables are rebuilt.
SCHEMA_PREDICATES = frozenset({
    SUBCLASS, SUBPROP, EQCLASS, EQPROP, INVERSE, CHAIN, HASKEY, ONPROPERTY, HASVALUE, SOME, ALL,
    INTERSECTION, UNION, ONEOF, MAXC, MAXQC, ONCLASS, DOMAIN, RANGE, FIRST, REST})
SCHEMA_TYPES = frozenset({SYMMETRIC, TRANSITIVE, FUNCTIONAL, INVERSE_FUNCTIONAL})
