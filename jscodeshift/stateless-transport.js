'use strict';
// npx jscodeshift -t node_modules/mcp-sessionless/dist/jscodeshift/stateless-transport.js --parser=ts --extensions=ts src/
module.exports = require('./load.js')('stateless-transport');
