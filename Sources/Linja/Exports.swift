// `import Linja` gives the whole library: each layer below is its own
// module (see README, "How the code is laid out"), re-exported here so that
// tools, tests and users import one name.
@_exported import LinjaBase
@_exported import LinjaSyntax
@_exported import LinjaModel
@_exported import LinjaSemantics
@_exported import LinjaReference
@_exported import LinjaRuntime
@_exported import LinjaData
@_exported import LinjaGoals
@_exported import LinjaDisclosure
