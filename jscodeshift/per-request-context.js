'use strict';
// npx jscodeshift -t node_modules/mcp-sessionless/dist/jscodeshift/per-request-context.js --parser=ts --extensions=ts src/
module.exports = require('./load.js')('per-request-context');
