'use strict';
// npx jscodeshift -t node_modules/mcp-sessionless/dist/jscodeshift/mark-leftovers.js --parser=ts --extensions=ts src/
module.exports = require('./load.js')('mark-leftovers');
